// SPDX-License-Identifier: Apache-2.0
package org.postern.dns;

import java.util.List;

/**
 * The outcome of one look-up. {@code records} is empty unless the status is {@link Status#FOUND}.
 *
 * @param detail why a look-up failed (for logs and diagnostics), empty otherwise
 */
public record DnsAnswer<T>(Status status, List<T> records, String detail) {
    /** RFC 2308 §1 distinguishes a name that does not exist from one without records of the type. */
    public enum Status {
        FOUND,
        /** NOERROR without records of the asked type ("NODATA"). */
        NO_RECORDS,
        /** NXDOMAIN (RCODE 3): the name does not exist. */
        NO_DOMAIN,
        /** SERVFAIL, REFUSED, timeout, unreadable answer: nothing is known. */
        TEMPORARY_FAILURE
    }

    public DnsAnswer {
        records = List.copyOf(records);
        if (detail == null) detail = "";
    }

    public static <T> DnsAnswer<T> found(List<T> records) {
        return records.isEmpty() ? new DnsAnswer<>(Status.NO_RECORDS, List.of(), "")
                : new DnsAnswer<>(Status.FOUND, records, "");
    }

    public static <T> DnsAnswer<T> of(Status status, String detail) {
        if (status == Status.FOUND) throw new IllegalArgumentException("FOUND needs records");
        return new DnsAnswer<>(status, List.of(), detail);
    }

    public boolean isFound() {
        return status == Status.FOUND;
    }

    /** True when the answer is a fact (records, none, or no such name), false for a failed look-up. */
    public boolean isDefinite() {
        return status != Status.TEMPORARY_FAILURE;
    }
}
