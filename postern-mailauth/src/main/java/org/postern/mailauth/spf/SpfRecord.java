// SPDX-License-Identifier: Apache-2.0
package org.postern.mailauth.spf;

import java.net.InetAddress;
import java.util.List;

/** A parsed SPF record (RFC 7208 §4.6.1, §12 ABNF): directives in order plus the two known modifiers. */
public record SpfRecord(List<Directive> directives, String redirect, String exp) {
    public SpfRecord {
        directives = List.copyOf(directives);
    }

    /** {@code [qualifier] mechanism}; qualifier is one of + - ~ ?. */
    public record Directive(char qualifier, Mechanism mechanism) {}

    /** RFC 7208 §5. Domain specs are unexpanded macro strings; null means "the current domain". */
    public sealed interface Mechanism {
        /** Counts toward the 10-term limit of §4.6.4. */
        default boolean queriesDns() {
            return !(this instanceof All || this instanceof Ip4 || this instanceof Ip6);
        }
    }

    public record All() implements Mechanism {}

    public record Include(String domainSpec) implements Mechanism {}

    public record A(String domainSpec, int cidr4, int cidr6) implements Mechanism {}

    public record Mx(String domainSpec, int cidr4, int cidr6) implements Mechanism {}

    public record Ptr(String domainSpec) implements Mechanism {}

    public record Ip4(InetAddress network, int prefix) implements Mechanism {}

    public record Ip6(InetAddress network, int prefix) implements Mechanism {}

    public record Exists(String domainSpec) implements Mechanism {}
}
