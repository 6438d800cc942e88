// SPDX-License-Identifier: Apache-2.0
package org.postern.server.cli;

import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.postern.auth.Passwords;

/**
 * Reads a new password: one line from standard input (--password-stdin, for scripts), or twice from
 * the terminal without echo. Never from the command line, where every user of the machine could read
 * it in the process list.
 */
final class PasswordInput {
    private PasswordInput() {}

    static String read(CliContext ctx, boolean fromStdin, String address) {
        String password = fromStdin ? firstLine(ctx.in()) : fromTerminal(ctx, address);
        if (password.isEmpty()) throw CliFailure.usage("the password is empty");
        if (password.length() > Passwords.MAX_LENGTH) {
            throw CliFailure.usage("the password is longer than " + Passwords.MAX_LENGTH + " characters");
        }
        return password;
    }

    /** The first line, without its line ending; bounded so a wrong pipe cannot fill memory. */
    static String firstLine(InputStream in) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (b.size() > Passwords.MAX_LENGTH * 4) {
                    throw CliFailure.usage("the password is longer than " + Passwords.MAX_LENGTH + " characters");
                }
                b.write(c);
            }
        } catch (IOException e) {
            throw CliFailure.failed("cannot read the password from standard input: " + e.getMessage());
        }
        String s = b.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private static String fromTerminal(CliContext ctx, String address) {
        Console console = ctx.console();
        if (console == null || !isTerminal(console)) {
            throw CliFailure.usage("no terminal to ask for the password; pipe it in with --password-stdin");
        }
        char[] first = console.readPassword("New password for %s: ", address);
        char[] second = first == null ? null : console.readPassword("Repeat the password: ");
        if (first == null || second == null) throw CliFailure.failed("no password entered");
        try {
            if (!Arrays.equals(first, second)) throw CliFailure.usage("the passwords do not match");
            return new String(first);
        } finally {
            Arrays.fill(first, '\0');
            Arrays.fill(second, '\0');
        }
    }

    /**
     * Since JDK 22 System.console() may return a console even when input is redirected; its
     * isTerminal() (absent in 21, our compile target) tells the truth.
     */
    private static boolean isTerminal(Console console) {
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
