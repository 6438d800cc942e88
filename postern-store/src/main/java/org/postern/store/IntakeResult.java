// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.List;

/** The record each local target got (same order as the intake's targets), and the queue id or -1. */
public record IntakeResult(List<MessageRecord> delivered, long queueId) {}
