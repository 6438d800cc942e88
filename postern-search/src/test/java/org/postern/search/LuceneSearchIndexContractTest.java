// SPDX-License-Identifier: Apache-2.0
package org.postern.search;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.postern.store.MailStore;
import org.postern.store.sqlite.SqliteMailStore;

/** The local Lucene index, on the embedded store, against the shared contract. */
class LuceneSearchIndexContractTest extends SearchIndexContract {
    @TempDir
    Path dir;

    @Override
    protected MailStore newStore() {
        return SqliteMailStore.open(dir.resolve("data"));
    }

    @Override
    protected SearchIndex openIndex(MailStore store) throws Exception {
        return LuceneSearchIndex.open(dir.resolve("data/index"), store);
    }
}
