// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.nio.file.Path;
import org.postern.store.WebSessionContract;
import org.postern.store.MailStore;

class SqliteWebSessionTest extends WebSessionContract {
    @Override
    protected MailStore open(Path dataDir) {
        return SqliteMailStore.open(dataDir);
    }
}
