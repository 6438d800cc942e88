// SPDX-License-Identifier: Apache-2.0
/** Load generators for side-by-side benchmarks; they talk only to loopback addresses. */
package org.postern.bench;
