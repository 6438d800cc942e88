// SPDX-License-Identifier: Apache-2.0
package org.postern.store;

import java.util.List;

/** One store: the directory of domains and accounts, mailboxes, message bodies, the queue, changes. */
public interface MailStore extends AutoCloseable {
    Directory directory();

    MailboxStore mailboxes();

    BlobStore blobs();

    OutboundQueue queue();

    ChangeFeed changes();

    /** Server and mailbox annotations (RFC 5464); backends without them refuse. */
    default MetadataStore metadata() {
        throw new StoreException.Refused("this store keeps no metadata");
    }

    /** DKIM signing keys of our domains; backends without them refuse. */
    default DkimKeyStore dkimKeys() {
        throw new StoreException.Refused("this store keeps no DKIM keys");
    }

    /** Conversation thread ids (RFC 8474 THREADID, JMAP threadId); backends without them refuse. */
    default ThreadStore threads() {
        throw new StoreException.Refused("this store keeps no thread ids");
    }

    /** Mailbox ACLs and per-user \Seen (RFC 4314); backends without them refuse. */
    default AclStore acl() {
        throw new StoreException.Refused("this store keeps no access control lists");
    }

    /** An account's mailboxes with the ACL grants made to some identifiers: what IMAP LIST reads every time. */
    record Listing(List<Mailbox> mailboxes, List<AclStore.Grant> grants) {}

    /**
     * {@link MailboxStore#list} and {@link AclStore#grantsFor} at once, which a backend may answer in one
     * read (IMAP LIST asks for both on every call).
     */
    default Listing listing(long accountId, java.util.Collection<String> identifiers) {
        return new Listing(mailboxes().list(accountId), acl().grantsFor(identifiers));
    }

    /** Sender identities (JMAP Identity); backends without them refuse. */
    default IdentityStore identities() {
        throw new StoreException.Refused("this store keeps no identities");
    }

    /** Records of submitted messages (JMAP EmailSubmission); backends without them refuse. */
    default SubmissionStore submissions() {
        throw new StoreException.Refused("this store keeps no submissions");
    }

    /** Vacation auto-replies (RFC 3834); backends without them refuse. */
    default VacationStore vacation() {
        throw new StoreException.Refused("this store keeps no vacation responses");
    }

    /** Browser sessions shared by every node (webmail, JMAP login); backends without them refuse. */
    default WebSessionStore webSessions() {
        throw new StoreException.Refused("this store keeps no browser sessions");
    }

    /** Authentication failures shared by every node (throttling); backends without them refuse. */
    default AuthFailureStore authFailures() {
        throw new StoreException.Refused("this store keeps no authentication failures");
    }

    /**
     * Commits one accepted message to every local mailbox and to the outbound queue in a single
     * durable transaction: either all recipients have it or none does. The blob must already be
     * durable ({@link BlobStore.BlobWriter#commit()}).
     */
    IntakeResult deliver(Intake intake);

    @Override
    void close();
}
