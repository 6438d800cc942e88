// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import org.postern.jmap.proto.RequestError;

/** Problem type URIs used outside the API endpoint (upload limits, RFC 8620 §6.1). */
final class RequestErrorTypes {
    static final String LIMIT = RequestError.PREFIX + "limit";

    private RequestErrorTypes() {}
}
