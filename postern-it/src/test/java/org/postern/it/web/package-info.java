// SPDX-License-Identifier: Apache-2.0
/** End-to-end tests of the HTTPS server: certificate reload on the web port, browser login in front of JMAP. */
package org.postern.it.web;
