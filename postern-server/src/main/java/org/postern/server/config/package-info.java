// SPDX-License-Identifier: Apache-2.0
/**
 * postern.conf and the decisions made from it before anything listens: the settings, their file
 * format, the data folder layout, the port offset (DESIGN.md §1, §7).
 *
 * <p>Invariants: the parser is pure (text in, {@link org.postern.server.config.ServerConfig} out);
 * every rejection names its line; a config_version newer than {@link
 * org.postern.server.config.ServerConfig#CURRENT_VERSION} is refused, never guessed at; the writer
 * writes every key the parser knows, so the file on disk is complete documentation.
 */
package org.postern.server.config;
