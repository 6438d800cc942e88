// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

/**
 * The outcome of one SPF evaluation.
 *
 * @param identity "mailfrom" or "helo" (RFC 7208 §2.3, §2.4)
 * @param domain the domain whose policy was checked
 * @param sender the checked identity as RFC 8601 writes it (local@domain, or the HELO name)
 * @param explanation the exp= text on fail, or a short reason for errors; never null
 */
public record SpfVerdict(SpfResult result, String identity, String domain, String sender, String explanation) {
    public SpfVerdict {
        if (explanation == null) explanation = "";
    }
}
