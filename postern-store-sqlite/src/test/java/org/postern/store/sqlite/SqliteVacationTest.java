// SPDX-License-Identifier: Apache-2.0
package org.postern.store.sqlite;

import java.nio.file.Path;
import org.postern.store.MailStore;
import org.postern.store.VacationContract;

class SqliteVacationTest extends VacationContract {
    @Override
    protected MailStore open(Path dataDir) {
        return SqliteMailStore.open(dataDir);
    }
}
