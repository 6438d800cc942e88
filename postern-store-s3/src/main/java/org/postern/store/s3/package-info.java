// SPDX-License-Identifier: Apache-2.0
/**
 * Message bodies in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, Garage...), beneath a
 * MailStore that keeps the metadata and the references: {@link org.postern.store.s3.S3BlobStore}, an
 * {@link org.postern.store.ExternalBlobStore}.
 *
 * <p>Rules kept here:
 * <ul>
 *   <li>{@code commit()} returns only after the object store acknowledged the complete object (a single
 *       PUT, or CompleteMultipartUpload for big bodies), each request carrying Content-MD5 so the store
 *       rejects damaged bytes: the "250 OK" that follows still means durable.</li>
 *   <li>Keys are {@code prefix + id}, the id 32 random hex digits, never content addressed.</li>
 *   <li>Memory per writer is bounded by one part ({@link org.postern.store.s3.S3BlobStore#PART}); an
 *       abandoned writer aborts its multipart upload.</li>
 *   <li>Objects are immutable; only the MailStore above deletes them.</li>
 * </ul>
 */
package org.postern.store.s3;
