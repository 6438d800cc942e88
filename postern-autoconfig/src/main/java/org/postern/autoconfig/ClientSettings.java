// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import java.util.List;

/**
 * Where clients find this server: its host name and the ports it really listens on (after any
 * port offset). Every document this module writes is derived from one of these.
 */
public record ClientSettings(String hostname, int imaps, int imap, int pop3s, int pop3, int submissions, int submission) {

    public enum Protocol { IMAP, POP3, SMTP }

    /** TLS from the first byte (RFC 8314 "implicit TLS"), or STARTTLS/STLS before authentication. */
    public enum Security { TLS, STARTTLS }

    public record Endpoint(Protocol protocol, Security security, int port) {
        public boolean incoming() {
            return protocol != Protocol.SMTP;
        }
    }

    public ClientSettings {
        if (hostname == null || hostname.isBlank()) throw new IllegalArgumentException("no host name");
        for (int p : new int[] {imaps, imap, pop3s, pop3, submissions, submission}) {
            if (p < 1 || p > 65535) throw new IllegalArgumentException("port out of range: " + p);
        }
    }

    /** The standard ports of RFC 8314 §3.3/§4.1 and RFC 6409, shifted by {@code offset}. */
    public static ClientSettings standard(String hostname, int offset) {
        return new ClientSettings(hostname, 993 + offset, 143 + offset, 995 + offset, 110 + offset, 465 + offset, 587 + offset);
    }

    /**
     * Every endpoint, most preferred first: RFC 8314 §5.1 says implicit TLS is to be preferred over
     * STARTTLS, so all implicit-TLS ports precede all STARTTLS ones, IMAP before POP3 within each.
     */
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint(Protocol.IMAP, Security.TLS, imaps),
                new Endpoint(Protocol.POP3, Security.TLS, pop3s),
                new Endpoint(Protocol.SMTP, Security.TLS, submissions),
                new Endpoint(Protocol.IMAP, Security.STARTTLS, imap),
                new Endpoint(Protocol.POP3, Security.STARTTLS, pop3),
                new Endpoint(Protocol.SMTP, Security.STARTTLS, submission));
    }

    /** Incoming servers in preference order: IMAP (both), then POP3 (both), implicit TLS first in each. */
    public List<Endpoint> incoming() {
        return List.of(endpoints().get(0), endpoints().get(3), endpoints().get(1), endpoints().get(4));
    }

    public List<Endpoint> outgoing() {
        return List.of(endpoints().get(2), endpoints().get(5));
    }
}
