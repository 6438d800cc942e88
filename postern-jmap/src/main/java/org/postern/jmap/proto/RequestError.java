// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.proto;

/**
 * A request-level error (RFC 8620 §3.6.1): the whole request is refused with an RFC 7807 problem
 * details object. {@code limit} names the exceeded limit for the "limit" type.
 */
public final class RequestError extends Exception {
    public static final String PREFIX = "urn:ietf:params:jmap:error:";

    private final String type;
    private final int status;
    private final String limit;

    private RequestError(String type, int status, String detail, String limit) {
        super(detail, null, false, false);
        this.type = type;
        this.status = status;
        this.limit = limit;
    }

    public static RequestError unknownCapability(String detail) {
        return new RequestError(PREFIX + "unknownCapability", 400, detail, null);
    }

    public static RequestError notJson(String detail) {
        return new RequestError(PREFIX + "notJSON", 400, detail, null);
    }

    public static RequestError notRequest(String detail) {
        return new RequestError(PREFIX + "notRequest", 400, detail, null);
    }

    public static RequestError limit(String limit, String detail) {
        return new RequestError(PREFIX + "limit", 400, detail, limit);
    }

    public String type() {
        return type;
    }

    public int status() {
        return status;
    }

    /** The limit's name for the "limit" type, else null. */
    public String limitName() {
        return limit;
    }
}
