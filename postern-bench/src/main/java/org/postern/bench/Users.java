// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test accounts, one "login password" pair a line (the users.list format of peers_setup.sh);
 * blank lines and lines starting with '#' are skipped.
 */
record Users(List<User> all) {
    /** More accounts than any benchmark here spreads its connections over. */
    static final int MAX_USERS = 100_000;

    record User(String login, String password) {}

    Users {
        all = List.copyOf(all);
        if (all.isEmpty()) throw new IllegalArgumentException("no users");
    }

    static Users read(Path file) throws IOException {
        List<User> users = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] parts = l.split("\\s+");
            if (parts.length != 2) throw new IllegalArgumentException(file + ":" + n + ": expected 'login password'");
            users.add(new User(parts[0], parts[1]));
            if (users.size() > MAX_USERS) throw new IllegalArgumentException(file + ": more than " + MAX_USERS + " users");
        }
        return new Users(users);
    }

    /** The first {@code n} users (all of them when there are fewer). */
    Users first(int n) {
        return new Users(all.subList(0, Math.min(n, all.size())));
    }

    User get(int i) {
        return all.get(Math.floorMod(i, all.size()));
    }

    int size() {
        return all.size();
    }
}
