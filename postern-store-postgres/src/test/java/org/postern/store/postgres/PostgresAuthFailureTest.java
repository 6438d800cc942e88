// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.nio.file.Path;
import org.postern.store.AuthFailureContract;
import org.postern.store.MailStore;

class PostgresAuthFailureTest extends AuthFailureContract {
    @Override
    protected MailStore open(Path dataDir) {
        return PostgresMailStore.open(TestPostgres.forDataDir(dataDir));
    }
}
