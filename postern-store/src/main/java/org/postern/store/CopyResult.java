// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.List;

/** Source UIDs and the UIDs they got in the destination, in the same order (RFC 4315 COPYUID). */
public record CopyResult(long destUidValidity, List<Long> sourceUids, List<Long> destUids) {}
