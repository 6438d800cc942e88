// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

/** A command cannot do what was asked; the message is the one line the user sees. */
public final class CliFailure extends RuntimeException {
    /** Bad arguments: the same exit code picocli uses for usage errors. */
    public static final int USAGE = 2;
    public static final int FAILED = 1;

    private final int exitCode;

    public CliFailure(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public static CliFailure usage(String message) {
        return new CliFailure(USAGE, message);
    }

    public static CliFailure failed(String message) {
        return new CliFailure(FAILED, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
