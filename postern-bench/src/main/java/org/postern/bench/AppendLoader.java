// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;

/**
 * {@code imap-load}: fills each user's INBOX with the same messages over IMAP APPEND, so two servers
 * get byte-identical mailboxes. {@code --reset} first expunges what the INBOX holds.
 */
final class AppendLoader {
    static final Set<String> VALUED = Set.of("host", "port", "users-file", "users", "mbox", "per-user", "parallel");
    static final Set<String> FLAGS = Set.of("ssl", "reset");

    private AppendLoader() {}

    static int run(List<String> args) throws Exception {
        Options o = Options.parse(args, VALUED, FLAGS);
        Target target = Target.of(o.string("host", "127.0.0.1"), o.integer("port", 993, 1, 65535));
        SSLContext tls = o.flag("ssl") ? TrustAll.context() : null;
        Users all = Users.read(Path.of(o.required("users-file")));
        Users users = all.first(o.integer("users", all.size(), 1, Users.MAX_USERS));
        List<byte[]> messages = Mbox.read(Path.of(o.required("mbox")));
        int perUser = o.integer("per-user", messages.size(), 0, 1_000_000);
        int parallel = o.integer("parallel", 4, 1, 64);
        boolean reset = o.flag("reset");
        long t0 = System.nanoTime();
        List<Future<Long>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(parallel)) {
            for (int i = 0; i < users.size(); i++) {
                Users.User u = users.get(i);
                int id = i;
                results.add(pool.submit(() -> fill(target, tls, id, u, messages, perUser, reset)));
            }
        }
        long total = 0;
        for (Future<Long> f : results) total += f.get();
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.println("{\"bench\":\"imap-load\",\"target\":\"" + target + "\",\"users\":" + users.size()
                + ",\"appended\":" + total + ",\"seconds\":" + MixBench.fmt(s) + ",\"per_s\":" + MixBench.fmt(total / s) + "}");
        return 0;
    }

    private static long fill(Target target, SSLContext tls, int id, Users.User u, List<byte[]> messages, int perUser,
            boolean reset) throws IOException {
        try (ImapClient c = ImapClient.connect(target, SourceAddresses.forConnection(id), tls, 60_000, 64 * 1024)) {
            c.login(u.login(), u.password()).requireOk("LOGIN " + u.login());
            if (reset) {
                long n = c.command("SELECT INBOX").requireOk("SELECT").exists();
                if (n > 0) {
                    c.command("STORE 1:* +FLAGS.SILENT (\\Deleted)").requireOk("STORE");
                    c.command("EXPUNGE").requireOk("EXPUNGE");
                }
                c.command("UNSELECT").requireOk("UNSELECT");
            }
            for (int k = 0; k < perUser; k++) {
                c.append("INBOX", null, messages.get(k % messages.size())).requireOk("APPEND");
            }
            c.logout();
            return perUser;
        }
    }
}
