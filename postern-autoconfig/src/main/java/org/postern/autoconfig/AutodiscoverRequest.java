// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

/** A parsed Autodiscover POX request, or why it could not be used. */
public sealed interface AutodiscoverRequest {
    /** The Outlook response schema, the only one this server answers (mobilesync is Exchange ActiveSync). */
    String OUTLOOK_RESPONSE_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    /** @param responseSchema the AcceptableResponseSchema the client named */
    record Valid(String emailAddress, String responseSchema) implements AutodiscoverRequest {}

    record Invalid(String reason) implements AutodiscoverRequest {}
}
