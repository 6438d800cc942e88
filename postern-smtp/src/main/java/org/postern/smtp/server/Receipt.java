// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.server;

/** Proof that a message is durably stored: the session then answers "250 2.0.0 Ok: queued as id". */
public record Receipt(String id) {}
