// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.nio.file.Path;
import org.postern.store.AuthFailureContract;
import org.postern.store.MailStore;

class SqliteAuthFailureTest extends AuthFailureContract {
    @Override
    protected MailStore open(Path dataDir) {
        return SqliteMailStore.open(dataDir);
    }
}
