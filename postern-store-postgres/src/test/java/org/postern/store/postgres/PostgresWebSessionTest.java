// SPDX-License-Identifier: Apache-2.0
package org.postern.store.postgres;

import java.nio.file.Path;
import org.postern.store.WebSessionContract;
import org.postern.store.MailStore;

class PostgresWebSessionTest extends WebSessionContract {
    @Override
    protected MailStore open(Path dataDir) {
        return PostgresMailStore.open(TestPostgres.forDataDir(dataDir));
    }
}
