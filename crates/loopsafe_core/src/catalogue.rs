//! The catalogue of blocking APIs, as data.
//!
//! Every row names a fully qualified Python name. Module functions are written as
//! `module.function` (`requests.get`); methods as `module.Type.method`
//! (`requests.Session.get`), matched when the receiver is known to be an instance of that
//! type; `module.Type.*` matches every method of the type that has no row of its own. The
//! tables are kept sorted (a unit test checks it) so that lookups are binary searches and
//! a reader can find a row by eye. Adding an API is one row here plus one fixture line.

use crate::rules::Rule;
use rustc_hash::{FxHashMap, FxHashSet};

/// What a catalogue row says about a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// The call blocks the thread that makes it.
    Blocks(Rule),
    /// The call does not block (an exception to a `Type.*` row).
    DoesNotBlock,
}

/// A condition on the call's arguments that changes what a row means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Always,
    /// `os.spawn*(mode, ...)`: runs and waits with `os.P_WAIT` (or no mode); otherwise it
    /// only starts a process.
    SpawnMode,
    /// `queue.Queue.get(block=False)` / `.get(False)` returns at once; so does a wait,
    /// join or result with a timeout of 0 (`thread.join(timeout=0)`, `future.result(0)`),
    /// and `executor.shutdown(wait=False)`.
    BlockArgument,
    /// `asyncio.run(x)`-style calls: flagged wherever they are.
    LoopReentry,
    /// `pandas.read_csv(x)`, `df.to_csv(x)`: file I/O when `x` is a path (a string, a
    /// string constant, a `pathlib.Path`); an in-memory buffer (`io.StringIO`) or no
    /// argument at all (`df.to_csv()` returns the text) does no I/O.
    PathArgument,
    /// A call that only asks the kernel for the working directory or the environment,
    /// never the disk, or takes a thread lock (`with self._lock:`), which guards a few
    /// lines: reported where a coroutine makes it (as ruff does), but too cheap to report
    /// through every helper that happens to make it.
    DirectOnly,
    /// `lock.acquire()`: what `with lock:` does, so reported only where a coroutine makes
    /// it ([`Condition::DirectOnly`]), and not at all with `blocking=False` or a timeout
    /// of 0 ([`Condition::BlockArgument`]).
    LockAcquire,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub call: &'static str,
    pub effect: Effect,
    pub condition: Condition,
}

const fn b(call: &'static str, rule: Rule) -> Row {
    Row {
        call,
        effect: Effect::Blocks(rule),
        condition: Condition::Always,
    }
}

const fn ok(call: &'static str) -> Row {
    Row {
        call,
        effect: Effect::DoesNotBlock,
        condition: Condition::Always,
    }
}

const fn cheap(call: &'static str, rule: Rule) -> Row {
    Row {
        call,
        effect: Effect::Blocks(rule),
        condition: Condition::DirectOnly,
    }
}

const fn path_arg(call: &'static str, rule: Rule) -> Row {
    Row {
        call,
        effect: Effect::Blocks(rule),
        condition: Condition::PathArgument,
    }
}

const fn spawn(call: &'static str) -> Row {
    Row {
        call,
        effect: Effect::Blocks(Rule::RunProcess),
        condition: Condition::SpawnMode,
    }
}

const fn lock_acquire(call: &'static str) -> Row {
    Row {
        call,
        effect: Effect::Blocks(BlockingWait),
        condition: Condition::LockAcquire,
    }
}

const fn blockarg(call: &'static str, rule: Rule) -> Row {
    Row {
        call,
        effect: Effect::Blocks(rule),
        condition: Condition::BlockArgument,
    }
}

use Rule::*;

/// Blocking calls. Sorted by `call` (byte order).
pub static BLOCKING: &[Row] = &[
    b("MySQLdb.connect", SyncDatabaseCall),
    b("MySQLdb.connections.Connection.*", SyncDatabaseCall),
    ok("MySQLdb.connections.Connection.cursor"),
    b("MySQLdb.cursors.Cursor.*", SyncDatabaseCall),
    path_arg("PIL.Image.Image.save", BlockingFilesystemCall),
    path_arg("PIL.Image.open", OpenFile),
    b("anthropic.resources.Messages.count_tokens", BlockingSdkCall),
    b("anthropic.resources.Messages.create", BlockingSdkCall),
    b("anthropic.resources.Messages.stream", BlockingSdkCall),
    b("anyio.run", LoopRunner),
    b("argon2.PasswordHasher.hash", SlowPasswordHash),
    b("argon2.PasswordHasher.verify", SlowPasswordHash),
    b("argon2.low_level.hash_secret", SlowPasswordHash),
    b("argon2.low_level.hash_secret_raw", SlowPasswordHash),
    b("argon2.low_level.verify_secret", SlowPasswordHash),
    b("asgiref.sync.AsyncToSync.__call__", AsyncToSync),
    b("asyncio.AbstractEventLoop.run_forever", RunUntilComplete),
    b(
        "asyncio.AbstractEventLoop.run_until_complete",
        RunUntilComplete,
    ),
    b("asyncio.run", AsyncioRun),
    b("azure.storage.blob.BlobClient.*", BlockingSdkCall),
    b(
        "azure.storage.blob.BlobServiceClient.create_container",
        BlockingSdkCall,
    ),
    b(
        "azure.storage.blob.BlobServiceClient.delete_container",
        BlockingSdkCall,
    ),
    b(
        "azure.storage.blob.BlobServiceClient.get_account_information",
        BlockingSdkCall,
    ),
    b(
        "azure.storage.blob.BlobServiceClient.get_service_properties",
        BlockingSdkCall,
    ),
    b(
        "azure.storage.blob.BlobServiceClient.list_containers",
        BlockingSdkCall,
    ),
    b("azure.storage.blob.ContainerClient.*", BlockingSdkCall),
    // Made on the spot, from the container's URL and credential: nothing is sent.
    ok("azure.storage.blob.ContainerClient.get_blob_client"),
    b(
        "azure.storage.blob.StorageStreamDownloader.*",
        BlockingSdkCall,
    ),
    b("bcrypt.checkpw", SlowPasswordHash),
    b("bcrypt.hashpw", SlowPasswordHash),
    b("bcrypt.kdf", SlowPasswordHash),
    b("boto3.client", BlockingSdkCall),
    b("boto3.resource", BlockingSdkCall),
    b(
        "boto3.resources.base.ServiceResource.attach_policy",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.attach_volume",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.authorize_ingress",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.batch_get_item",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.batch_write_item",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.change_visibility",
        BlockingSdkCall,
    ),
    b("boto3.resources.base.ServiceResource.copy", BlockingSdkCall),
    b(
        "boto3.resources.base.ServiceResource.copy_from",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.create",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.create_image",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.create_instances",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.create_policy",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.create_role",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.create_security_group",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.create_table",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.create_tags",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.create_user",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.create_volume",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.delete",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.delete_item",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.delete_messages",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.delete_objects",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.detach_policy",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.detach_volume",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.download_file",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.download_fileobj",
        BlockingSdkCall,
    ),
    b("boto3.resources.base.ServiceResource.get", BlockingSdkCall),
    b(
        "boto3.resources.base.ServiceResource.get_item",
        BlockingSdkCall,
    ),
    b("boto3.resources.base.ServiceResource.load", BlockingSdkCall),
    b(
        "boto3.resources.base.ServiceResource.publish",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.purge",
        BlockingSdkCall,
    ),
    b("boto3.resources.base.ServiceResource.put", BlockingSdkCall),
    b(
        "boto3.resources.base.ServiceResource.put_item",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.query",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.reboot",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.receive_messages",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.reload",
        BlockingSdkCall,
    ),
    b("boto3.resources.base.ServiceResource.scan", BlockingSdkCall),
    b(
        "boto3.resources.base.ServiceResource.send_message",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.send_messages",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.start",
        BlockingSdkCall,
    ),
    b("boto3.resources.base.ServiceResource.stop", BlockingSdkCall),
    b(
        "boto3.resources.base.ServiceResource.subscribe",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.terminate",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.update_item",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.upload_file",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.upload_fileobj",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.wait_until_exists",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.wait_until_not_exists",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.wait_until_running",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.wait_until_stopped",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.base.ServiceResource.wait_until_terminated",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.collection.CollectionManager.__iter__",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.collection.ResourceCollection.__iter__",
        BlockingSdkCall,
    ),
    b(
        "boto3.resources.collection.ResourceCollection.delete",
        BlockingSdkCall,
    ),
    b("boto3.session.Session.client", BlockingSdkCall),
    b("boto3.session.Session.resource", BlockingSdkCall),
    b("botocore.client.BaseClient.*", BlockingSdkCall),
    ok("botocore.client.BaseClient.can_paginate"),
    ok("botocore.client.BaseClient.generate_presigned_post"),
    ok("botocore.client.BaseClient.generate_presigned_url"),
    ok("botocore.client.BaseClient.get_paginator"),
    ok("botocore.client.BaseClient.get_waiter"),
    b("builtins.input", BlockingInput),
    b("builtins.open", OpenFile),
    b("cassandra.cluster.Cluster.connect", SyncDatabaseCall),
    b("cassandra.cluster.ResponseFuture.result", BlockingWait),
    b("cassandra.cluster.Session.execute", SyncDatabaseCall),
    b("celery.result.AsyncResult.get", BlockingWait),
    b("celery.result.AsyncResult.wait", BlockingWait),
    b("celery.result.GroupResult.get", BlockingWait),
    b("celery.result.GroupResult.join", BlockingWait),
    b("celery.result.GroupResult.join_native", BlockingWait),
    b("chromadb.Collection.*", SyncDatabaseCall),
    b("chromadb.api.ClientAPI.*", SyncDatabaseCall),
    b(
        "clickhouse_connect.driver.client.Client.command",
        SyncDatabaseCall,
    ),
    b(
        "clickhouse_connect.driver.client.Client.insert",
        SyncDatabaseCall,
    ),
    b(
        "clickhouse_connect.driver.client.Client.insert_df",
        SyncDatabaseCall,
    ),
    b(
        "clickhouse_connect.driver.client.Client.query",
        SyncDatabaseCall,
    ),
    b(
        "clickhouse_connect.driver.client.Client.query_arrow",
        SyncDatabaseCall,
    ),
    b(
        "clickhouse_connect.driver.client.Client.query_df",
        SyncDatabaseCall,
    ),
    b("clickhouse_connect.get_client", SyncDatabaseCall),
    b("codecs.open", OpenFile),
    b("cohere.Client.chat", BlockingSdkCall),
    b("cohere.Client.chat_stream", BlockingSdkCall),
    b("cohere.Client.classify", BlockingSdkCall),
    b("cohere.Client.embed", BlockingSdkCall),
    b("cohere.Client.generate", BlockingSdkCall),
    b("cohere.Client.rerank", BlockingSdkCall),
    b("cohere.Client.summarize", BlockingSdkCall),
    blockarg("concurrent.futures.Executor.shutdown", BlockingWait),
    b("concurrent.futures.Future.exception", BlockingWait),
    blockarg("concurrent.futures.Future.result", BlockingWait),
    b(
        "concurrent.futures._base.as_completed_iterator.__iter__",
        BlockingWait,
    ),
    b(
        "concurrent.futures._base.result_iterator.__iter__",
        BlockingWait,
    ),
    b("concurrent.futures.wait", BlockingWait),
    b("confluent_kafka.Consumer.commit", BlockingNetworkCall),
    b("confluent_kafka.Consumer.consume", BlockingNetworkCall),
    b("confluent_kafka.Consumer.poll", BlockingNetworkCall),
    b("confluent_kafka.Producer.flush", BlockingNetworkCall),
    b("confluent_kafka.Producer.poll", BlockingNetworkCall),
    b(
        "django.contrib.auth.hashers.check_password",
        SlowPasswordHash,
    ),
    b(
        "django.contrib.auth.hashers.make_password",
        SlowPasswordHash,
    ),
    b("django.db.models.Manager.aggregate", SyncDatabaseCall),
    b("django.db.models.Manager.bulk_create", SyncDatabaseCall),
    b("django.db.models.Manager.bulk_update", SyncDatabaseCall),
    b("django.db.models.Manager.contains", SyncDatabaseCall),
    b("django.db.models.Manager.count", SyncDatabaseCall),
    b("django.db.models.Manager.create", SyncDatabaseCall),
    b(
        "django.db.models.Manager.create_superuser",
        SyncDatabaseCall,
    ),
    b("django.db.models.Manager.create_user", SyncDatabaseCall),
    b("django.db.models.Manager.delete", SyncDatabaseCall),
    b("django.db.models.Manager.earliest", SyncDatabaseCall),
    b("django.db.models.Manager.exists", SyncDatabaseCall),
    b("django.db.models.Manager.explain", SyncDatabaseCall),
    b("django.db.models.Manager.first", SyncDatabaseCall),
    b("django.db.models.Manager.get", SyncDatabaseCall),
    b("django.db.models.Manager.get_or_create", SyncDatabaseCall),
    b("django.db.models.Manager.in_bulk", SyncDatabaseCall),
    b("django.db.models.Manager.iterator", SyncDatabaseCall),
    b("django.db.models.Manager.last", SyncDatabaseCall),
    b("django.db.models.Manager.latest", SyncDatabaseCall),
    b("django.db.models.Manager.update", SyncDatabaseCall),
    b(
        "django.db.models.Manager.update_or_create",
        SyncDatabaseCall,
    ),
    b("django.db.models.Model.delete", SyncDatabaseCall),
    b("django.db.models.Model.refresh_from_db", SyncDatabaseCall),
    b("django.db.models.Model.save", SyncDatabaseCall),
    b("django.db.models.QuerySet.__iter__", SyncDatabaseCall),
    b("django.db.models.QuerySet.aggregate", SyncDatabaseCall),
    b("django.db.models.QuerySet.bulk_create", SyncDatabaseCall),
    b("django.db.models.QuerySet.bulk_update", SyncDatabaseCall),
    b("django.db.models.QuerySet.contains", SyncDatabaseCall),
    b("django.db.models.QuerySet.count", SyncDatabaseCall),
    b("django.db.models.QuerySet.create", SyncDatabaseCall),
    b("django.db.models.QuerySet.delete", SyncDatabaseCall),
    b("django.db.models.QuerySet.earliest", SyncDatabaseCall),
    b("django.db.models.QuerySet.exists", SyncDatabaseCall),
    b("django.db.models.QuerySet.explain", SyncDatabaseCall),
    b("django.db.models.QuerySet.first", SyncDatabaseCall),
    b("django.db.models.QuerySet.get", SyncDatabaseCall),
    b("django.db.models.QuerySet.get_or_create", SyncDatabaseCall),
    b("django.db.models.QuerySet.in_bulk", SyncDatabaseCall),
    b("django.db.models.QuerySet.iterator", SyncDatabaseCall),
    b("django.db.models.QuerySet.last", SyncDatabaseCall),
    b("django.db.models.QuerySet.latest", SyncDatabaseCall),
    b("django.db.models.QuerySet.update", SyncDatabaseCall),
    b(
        "django.db.models.QuerySet.update_or_create",
        SyncDatabaseCall,
    ),
    b("dns.resolver.Resolver.query", BlockingNetworkCall),
    b("dns.resolver.Resolver.resolve", BlockingNetworkCall),
    b("dns.resolver.query", BlockingNetworkCall),
    b("dns.resolver.resolve", BlockingNetworkCall),
    b("docker.DockerClient.*", BlockingSdkCall),
    b("docker.models.containers.Container.*", BlockingSdkCall),
    b(
        "docker.models.containers.ContainerCollection.*",
        BlockingSdkCall,
    ),
    b("docker.models.images.ImageCollection.*", BlockingSdkCall),
    b("elasticsearch.Elasticsearch.*", BlockingSdkCall),
    ok("elasticsearch.Elasticsearch.options"),
    b("faster_whisper.WhisperModel", MlModelCall),
    b("faster_whisper.WhisperModel.transcribe", MlModelCall),
    b("firebase_admin.auth.create_session_cookie", BlockingSdkCall),
    b("firebase_admin.auth.create_user", BlockingSdkCall),
    b("firebase_admin.auth.delete_user", BlockingSdkCall),
    b("firebase_admin.auth.delete_users", BlockingSdkCall),
    b(
        "firebase_admin.auth.generate_email_verification_link",
        BlockingSdkCall,
    ),
    b(
        "firebase_admin.auth.generate_password_reset_link",
        BlockingSdkCall,
    ),
    b(
        "firebase_admin.auth.generate_sign_in_with_email_link",
        BlockingSdkCall,
    ),
    b("firebase_admin.auth.get_user", BlockingSdkCall),
    b("firebase_admin.auth.get_user_by_email", BlockingSdkCall),
    b(
        "firebase_admin.auth.get_user_by_phone_number",
        BlockingSdkCall,
    ),
    b("firebase_admin.auth.get_users", BlockingSdkCall),
    b("firebase_admin.auth.import_users", BlockingSdkCall),
    b("firebase_admin.auth.list_users", BlockingSdkCall),
    b("firebase_admin.auth.revoke_refresh_tokens", BlockingSdkCall),
    b(
        "firebase_admin.auth.set_custom_user_claims",
        BlockingSdkCall,
    ),
    b("firebase_admin.auth.update_user", BlockingSdkCall),
    b("firebase_admin.auth.verify_id_token", BlockingSdkCall),
    b("firebase_admin.auth.verify_session_cookie", BlockingSdkCall),
    b("firebase_admin.messaging.send", BlockingSdkCall),
    b("firebase_admin.messaging.send_all", BlockingSdkCall),
    b("firebase_admin.messaging.send_each", BlockingSdkCall),
    b(
        "firebase_admin.messaging.send_each_for_multicast",
        BlockingSdkCall,
    ),
    b("firebase_admin.messaging.send_multicast", BlockingSdkCall),
    b(
        "firebase_admin.messaging.subscribe_to_topic",
        BlockingSdkCall,
    ),
    b(
        "firebase_admin.messaging.unsubscribe_from_topic",
        BlockingSdkCall,
    ),
    b("ftplib.FTP", BlockingNetworkCall),
    b("ftplib.FTP.*", BlockingNetworkCall),
    b("getpass.getpass", BlockingInput),
    b("glob.glob", BlockingFilesystemCall),
    b(
        "google.cloud.firestore.Client.collections",
        SyncDatabaseCall,
    ),
    b("google.cloud.firestore.Client.get_all", SyncDatabaseCall),
    b(
        "google.cloud.firestore.CollectionReference.add",
        SyncDatabaseCall,
    ),
    b(
        "google.cloud.firestore.CollectionReference.get",
        SyncDatabaseCall,
    ),
    b(
        "google.cloud.firestore.CollectionReference.list_documents",
        SyncDatabaseCall,
    ),
    b(
        "google.cloud.firestore.CollectionReference.stream",
        SyncDatabaseCall,
    ),
    b(
        "google.cloud.firestore.DocumentReference.collections",
        SyncDatabaseCall,
    ),
    b(
        "google.cloud.firestore.DocumentReference.create",
        SyncDatabaseCall,
    ),
    b(
        "google.cloud.firestore.DocumentReference.delete",
        SyncDatabaseCall,
    ),
    b(
        "google.cloud.firestore.DocumentReference.get",
        SyncDatabaseCall,
    ),
    b(
        "google.cloud.firestore.DocumentReference.set",
        SyncDatabaseCall,
    ),
    b(
        "google.cloud.firestore.DocumentReference.update",
        SyncDatabaseCall,
    ),
    b("google.cloud.firestore.Query.get", SyncDatabaseCall),
    b("google.cloud.firestore.Query.stream", SyncDatabaseCall),
    b("google.cloud.firestore.WriteBatch.commit", SyncDatabaseCall),
    b("google.cloud.storage.Blob.delete", BlockingSdkCall),
    b(
        "google.cloud.storage.Blob.download_as_bytes",
        BlockingSdkCall,
    ),
    b(
        "google.cloud.storage.Blob.download_as_string",
        BlockingSdkCall,
    ),
    b(
        "google.cloud.storage.Blob.download_as_text",
        BlockingSdkCall,
    ),
    b(
        "google.cloud.storage.Blob.download_to_file",
        BlockingSdkCall,
    ),
    b(
        "google.cloud.storage.Blob.download_to_filename",
        BlockingSdkCall,
    ),
    b("google.cloud.storage.Blob.exists", BlockingSdkCall),
    b("google.cloud.storage.Blob.reload", BlockingSdkCall),
    b(
        "google.cloud.storage.Blob.upload_from_file",
        BlockingSdkCall,
    ),
    b(
        "google.cloud.storage.Blob.upload_from_filename",
        BlockingSdkCall,
    ),
    b(
        "google.cloud.storage.Blob.upload_from_string",
        BlockingSdkCall,
    ),
    b("google.cloud.storage.Bucket.delete_blob", BlockingSdkCall),
    b("google.cloud.storage.Bucket.exists", BlockingSdkCall),
    b("google.cloud.storage.Bucket.get_blob", BlockingSdkCall),
    b("google.cloud.storage.Bucket.list_blobs", BlockingSdkCall),
    b("google.cloud.storage.Bucket.reload", BlockingSdkCall),
    b("google.cloud.storage.Client.create_bucket", BlockingSdkCall),
    b("google.cloud.storage.Client.get_bucket", BlockingSdkCall),
    b("google.cloud.storage.Client.list_blobs", BlockingSdkCall),
    b("google.cloud.storage.Client.list_buckets", BlockingSdkCall),
    b("google.genai.chats.Chat.send_message", BlockingSdkCall),
    b(
        "google.genai.chats.Chat.send_message_stream",
        BlockingSdkCall,
    ),
    b("google.genai.files.Files.delete", BlockingSdkCall),
    b("google.genai.files.Files.download", BlockingSdkCall),
    b("google.genai.files.Files.get", BlockingSdkCall),
    b("google.genai.files.Files.upload", BlockingSdkCall),
    b("google.genai.models.Models.count_tokens", BlockingSdkCall),
    b("google.genai.models.Models.embed_content", BlockingSdkCall),
    b(
        "google.genai.models.Models.generate_content",
        BlockingSdkCall,
    ),
    b(
        "google.genai.models.Models.generate_content_stream",
        BlockingSdkCall,
    ),
    b(
        "google.genai.models.Models.generate_images",
        BlockingSdkCall,
    ),
    b(
        "google.genai.models.Models.generate_videos",
        BlockingSdkCall,
    ),
    b(
        "google.generativeai.ChatSession.send_message",
        BlockingSdkCall,
    ),
    b(
        "google.generativeai.GenerativeModel.count_tokens",
        BlockingSdkCall,
    ),
    b(
        "google.generativeai.GenerativeModel.generate_content",
        BlockingSdkCall,
    ),
    b("google.generativeai.embed_content", BlockingSdkCall),
    b("google.generativeai.upload_file", BlockingSdkCall),
    b(
        "googleapiclient.discovery.Resource.execute",
        BlockingSdkCall,
    ),
    b("googleapiclient.discovery.build", BlockingSdkCall),
    b("googleapiclient.http.HttpRequest.execute", BlockingSdkCall),
    b(
        "googleapiclient.http.MediaIoBaseDownload.next_chunk",
        BlockingSdkCall,
    ),
    b("groq.resources.Embeddings.create", BlockingSdkCall),
    b(
        "groq.resources.audio.Transcriptions.create",
        BlockingSdkCall,
    ),
    b("groq.resources.chat.Completions.create", BlockingSdkCall),
    b("gspread.client.Client.*", BlockingSdkCall),
    b("gspread.spreadsheet.Spreadsheet.*", BlockingSdkCall),
    b("gspread.worksheet.Worksheet.*", BlockingSdkCall),
    b("hashlib.pbkdf2_hmac", SlowPasswordHash),
    b("hashlib.scrypt", SlowPasswordHash),
    b("http.client.HTTPConnection.connect", BlockingHttpClientCall),
    b(
        "http.client.HTTPConnection.getresponse",
        BlockingHttpClientCall,
    ),
    b("http.client.HTTPConnection.request", BlockingHttpClientCall),
    b("http.client.HTTPResponse.read", BlockingHttpClientCall),
    b("httpx.AsyncClient", ClientBuiltOnLoop),
    b("httpx.Client", ClientBuiltOnLoop),
    b("httpx.Client.close", BlockingHttpClientCall),
    b("httpx.Client.delete", BlockingHttpClientCall),
    b("httpx.Client.get", BlockingHttpClientCall),
    b("httpx.Client.head", BlockingHttpClientCall),
    b("httpx.Client.options", BlockingHttpClientCall),
    b("httpx.Client.patch", BlockingHttpClientCall),
    b("httpx.Client.post", BlockingHttpClientCall),
    b("httpx.Client.put", BlockingHttpClientCall),
    b("httpx.Client.request", BlockingHttpClientCall),
    b("httpx.Client.send", BlockingHttpClientCall),
    b("httpx.Client.stream", BlockingHttpClientCall),
    b("httpx.delete", BlockingHttpCall),
    b("httpx.get", BlockingHttpCall),
    b("httpx.head", BlockingHttpCall),
    b("httpx.options", BlockingHttpCall),
    b("httpx.patch", BlockingHttpCall),
    b("httpx.post", BlockingHttpCall),
    b("httpx.put", BlockingHttpCall),
    b("httpx.request", BlockingHttpCall),
    b("httpx.stream", BlockingHttpCall),
    b("imaplib.IMAP4", BlockingNetworkCall),
    b("imaplib.IMAP4.*", BlockingNetworkCall),
    b("imaplib.IMAP4_SSL", BlockingNetworkCall),
    b("imaplib.IMAP4_SSL.*", BlockingNetworkCall),
    b("io.open", OpenFile),
    b("io.open_code", OpenFile),
    b("joblib.dump", MlModelCall),
    b("joblib.load", MlModelCall),
    b("jwt.PyJWKClient.fetch_data", BlockingSdkCall),
    b("jwt.PyJWKClient.get_jwk_set", BlockingSdkCall),
    b("jwt.PyJWKClient.get_signing_key", BlockingSdkCall),
    b("jwt.PyJWKClient.get_signing_key_from_jwt", BlockingSdkCall),
    b("jwt.PyJWKClient.get_signing_keys", BlockingSdkCall),
    b("kafka.KafkaProducer", BlockingSdkCall),
    b("kafka.KafkaProducer.flush", BlockingSdkCall),
    b("kubernetes.client.AppsV1Api.*", BlockingSdkCall),
    b("kubernetes.client.BatchV1Api.*", BlockingSdkCall),
    b("kubernetes.client.CoreV1Api.*", BlockingSdkCall),
    b("kubernetes.client.CustomObjectsApi.*", BlockingSdkCall),
    b("kubernetes.client.NetworkingV1Api.*", BlockingSdkCall),
    b(
        "kubernetes.config.load_incluster_config",
        BlockingFilesystemCall,
    ),
    b("kubernetes.config.load_kube_config", BlockingFilesystemCall),
    b(
        "langchain_core.embeddings.Embeddings.embed_documents",
        BlockingSdkCall,
    ),
    b(
        "langchain_core.embeddings.Embeddings.embed_query",
        BlockingSdkCall,
    ),
    b(
        "langchain_core.language_models.BaseChatModel.batch",
        BlockingSdkCall,
    ),
    b(
        "langchain_core.language_models.BaseChatModel.generate",
        BlockingSdkCall,
    ),
    b(
        "langchain_core.language_models.BaseChatModel.invoke",
        BlockingSdkCall,
    ),
    b(
        "langchain_core.language_models.BaseChatModel.predict",
        BlockingSdkCall,
    ),
    b(
        "langchain_core.language_models.BaseChatModel.stream",
        BlockingSdkCall,
    ),
    b(
        "langchain_core.retrievers.BaseRetriever.get_relevant_documents",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.retrievers.BaseRetriever.invoke",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.runnables.RunnableSequence.batch",
        BlockingSdkCall,
    ),
    b(
        "langchain_core.runnables.RunnableSequence.invoke",
        BlockingSdkCall,
    ),
    b(
        "langchain_core.runnables.RunnableSequence.stream",
        BlockingSdkCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.add_documents",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.add_texts",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.delete",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.from_documents",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.from_texts",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.load_local",
        BlockingFilesystemCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.max_marginal_relevance_search",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.similarity_search",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.similarity_search_by_vector",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.similarity_search_with_relevance_scores",
        SyncDatabaseCall,
    ),
    b(
        "langchain_core.vectorstores.VectorStore.similarity_search_with_score",
        SyncDatabaseCall,
    ),
    b("ldap3.Connection.*", BlockingNetworkCall),
    b("litellm.completion", BlockingSdkCall),
    b("litellm.embedding", BlockingSdkCall),
    b("litellm.image_generation", BlockingSdkCall),
    b("litellm.moderation", BlockingSdkCall),
    b("litellm.rerank", BlockingSdkCall),
    b("litellm.speech", BlockingSdkCall),
    b("litellm.text_completion", BlockingSdkCall),
    b("litellm.transcription", BlockingSdkCall),
    b("meilisearch.Client.*", BlockingSdkCall),
    ok("meilisearch.Client.index"),
    b("meilisearch.index.Index.*", BlockingSdkCall),
    b("minio.Minio.*", BlockingSdkCall),
    b("mistralai.chat.Chat.complete", BlockingSdkCall),
    b("mistralai.chat.Chat.stream", BlockingSdkCall),
    b("mistralai.embeddings.Embeddings.create", BlockingSdkCall),
    b("multiprocessing.Pool", CreateProcess),
    blockarg("multiprocessing.Process.join", BlockingWait),
    b("multiprocessing.Process.start", CreateProcess),
    b("multiprocessing.pool.AsyncResult.get", BlockingWait),
    b("multiprocessing.pool.AsyncResult.wait", BlockingWait),
    b("multiprocessing.pool.IMapIterator.__iter__", BlockingWait),
    b("multiprocessing.pool.IMapIterator.next", BlockingWait),
    b("multiprocessing.pool.Pool.apply", BlockingWait),
    b("multiprocessing.pool.Pool.join", BlockingWait),
    b("multiprocessing.pool.Pool.map", BlockingWait),
    b("multiprocessing.pool.Pool.starmap", BlockingWait),
    b("mysql.connector.connect", SyncDatabaseCall),
    b(
        "mysql.connector.connection.MySQLConnection.*",
        SyncDatabaseCall,
    ),
    ok("mysql.connector.connection.MySQLConnection.cursor"),
    b("mysql.connector.cursor.MySQLCursor.*", SyncDatabaseCall),
    b("neo4j.Driver.execute_query", SyncDatabaseCall),
    b("neo4j.Driver.verify_connectivity", SyncDatabaseCall),
    b("neo4j.Session.*", SyncDatabaseCall),
    b("ollama.Client.*", BlockingSdkCall),
    b("ollama.chat", BlockingSdkCall),
    b("ollama.embed", BlockingSdkCall),
    b("ollama.embeddings", BlockingSdkCall),
    b("ollama.generate", BlockingSdkCall),
    b("ollama.list", BlockingSdkCall),
    b("ollama.pull", BlockingSdkCall),
    b("ollama.show", BlockingSdkCall),
    b("openai.ChatCompletion.create", BlockingSdkCall),
    b("openai.Completion.create", BlockingSdkCall),
    b("openai.Embedding.create", BlockingSdkCall),
    b("openai.resources.Completions.create", BlockingSdkCall),
    b("openai.resources.Embeddings.create", BlockingSdkCall),
    b("openai.resources.Images.edit", BlockingSdkCall),
    b("openai.resources.Images.generate", BlockingSdkCall),
    b("openai.resources.Moderations.create", BlockingSdkCall),
    b("openai.resources.Responses.create", BlockingSdkCall),
    b("openai.resources.audio.Speech.create", BlockingSdkCall),
    b(
        "openai.resources.audio.Transcriptions.create",
        BlockingSdkCall,
    ),
    b("openai.resources.chat.Completions.create", BlockingSdkCall),
    b("opensearchpy.OpenSearch.*", BlockingSdkCall),
    b("oracledb.Connection.*", SyncDatabaseCall),
    ok("oracledb.Connection.cursor"),
    b("oracledb.Cursor.*", SyncDatabaseCall),
    b("oracledb.connect", SyncDatabaseCall),
    b("os.listdir", BlockingFilesystemCall),
    b("os.makedirs", BlockingFilesystemCall),
    b("os.mkdir", BlockingFilesystemCall),
    cheap("os.path.abspath", BlockingPathCall),
    b("os.path.exists", BlockingPathCall),
    cheap("os.path.expanduser", BlockingPathCall),
    b("os.path.getatime", BlockingPathCall),
    b("os.path.getctime", BlockingPathCall),
    b("os.path.getmtime", BlockingPathCall),
    b("os.path.getsize", BlockingPathCall),
    b("os.path.isdir", BlockingPathCall),
    b("os.path.isfile", BlockingPathCall),
    b("os.path.islink", BlockingPathCall),
    b("os.path.ismount", BlockingPathCall),
    b("os.path.lexists", BlockingPathCall),
    b("os.path.realpath", BlockingPathCall),
    cheap("os.path.relpath", BlockingPathCall),
    b("os.path.samefile", BlockingPathCall),
    b("os.popen", RunProcess),
    b("os.posix_spawn", RunProcess),
    b("os.posix_spawnp", RunProcess),
    b("os.remove", BlockingFilesystemCall),
    b("os.removedirs", BlockingFilesystemCall),
    b("os.rename", BlockingFilesystemCall),
    b("os.replace", BlockingFilesystemCall),
    b("os.rmdir", BlockingFilesystemCall),
    b("os.scandir", BlockingFilesystemCall),
    spawn("os.spawnl"),
    spawn("os.spawnle"),
    spawn("os.spawnlp"),
    spawn("os.spawnlpe"),
    spawn("os.spawnv"),
    spawn("os.spawnve"),
    spawn("os.spawnvp"),
    spawn("os.spawnvpe"),
    b("os.stat", BlockingFilesystemCall),
    b("os.system", RunProcess),
    b("os.unlink", BlockingFilesystemCall),
    b("os.wait", WaitForProcess),
    b("os.wait3", WaitForProcess),
    b("os.wait4", WaitForProcess),
    b("os.waitid", WaitForProcess),
    b("os.waitpid", WaitForProcess),
    b("os.walk", BlockingFilesystemCall),
    path_arg("pandas.DataFrame.to_csv", BlockingFilesystemCall),
    path_arg("pandas.DataFrame.to_excel", BlockingFilesystemCall),
    path_arg("pandas.DataFrame.to_feather", BlockingFilesystemCall),
    path_arg("pandas.DataFrame.to_hdf", BlockingFilesystemCall),
    path_arg("pandas.DataFrame.to_json", BlockingFilesystemCall),
    path_arg("pandas.DataFrame.to_parquet", BlockingFilesystemCall),
    path_arg("pandas.DataFrame.to_pickle", BlockingFilesystemCall),
    b("pandas.DataFrame.to_sql", SyncDatabaseCall),
    path_arg("pandas.DataFrame.to_stata", BlockingFilesystemCall),
    path_arg("pandas.DataFrame.to_xml", BlockingFilesystemCall),
    path_arg("pandas.Series.to_csv", BlockingFilesystemCall),
    path_arg("pandas.Series.to_excel", BlockingFilesystemCall),
    path_arg("pandas.Series.to_json", BlockingFilesystemCall),
    path_arg("pandas.Series.to_pickle", BlockingFilesystemCall),
    b("pandas.Series.to_sql", SyncDatabaseCall),
    path_arg("pandas.read_csv", BlockingFilesystemCall),
    path_arg("pandas.read_excel", BlockingFilesystemCall),
    path_arg("pandas.read_feather", BlockingFilesystemCall),
    path_arg("pandas.read_fwf", BlockingFilesystemCall),
    path_arg("pandas.read_hdf", BlockingFilesystemCall),
    path_arg("pandas.read_json", BlockingFilesystemCall),
    path_arg("pandas.read_orc", BlockingFilesystemCall),
    path_arg("pandas.read_parquet", BlockingFilesystemCall),
    path_arg("pandas.read_pickle", BlockingFilesystemCall),
    path_arg("pandas.read_sas", BlockingFilesystemCall),
    path_arg("pandas.read_spss", BlockingFilesystemCall),
    b("pandas.read_sql", SyncDatabaseCall),
    b("pandas.read_sql_query", SyncDatabaseCall),
    b("pandas.read_sql_table", SyncDatabaseCall),
    path_arg("pandas.read_stata", BlockingFilesystemCall),
    path_arg("pandas.read_table", BlockingFilesystemCall),
    path_arg("pandas.read_xml", BlockingFilesystemCall),
    b("paramiko.SFTPClient.*", BlockingNetworkCall),
    b("paramiko.SSHClient.connect", BlockingNetworkCall),
    b("paramiko.SSHClient.exec_command", BlockingNetworkCall),
    b("paramiko.SSHClient.open_sftp", BlockingNetworkCall),
    b("passlib.context.CryptContext.hash", SlowPasswordHash),
    b("passlib.context.CryptContext.verify", SlowPasswordHash),
    b(
        "passlib.context.CryptContext.verify_and_update",
        SlowPasswordHash,
    ),
    b("passlib.hash.argon2.hash", SlowPasswordHash),
    b("passlib.hash.argon2.verify", SlowPasswordHash),
    b("passlib.hash.bcrypt.hash", SlowPasswordHash),
    b("passlib.hash.bcrypt.verify", SlowPasswordHash),
    b("passlib.hash.bcrypt_sha256.hash", SlowPasswordHash),
    b("passlib.hash.bcrypt_sha256.verify", SlowPasswordHash),
    b("passlib.hash.pbkdf2_sha256.hash", SlowPasswordHash),
    b("passlib.hash.pbkdf2_sha256.verify", SlowPasswordHash),
    b("passlib.hash.pbkdf2_sha512.hash", SlowPasswordHash),
    b("passlib.hash.pbkdf2_sha512.verify", SlowPasswordHash),
    b("passlib.hash.scrypt.hash", SlowPasswordHash),
    b("passlib.hash.scrypt.verify", SlowPasswordHash),
    b("passlib.hash.sha256_crypt.hash", SlowPasswordHash),
    b("passlib.hash.sha256_crypt.verify", SlowPasswordHash),
    b("passlib.hash.sha512_crypt.hash", SlowPasswordHash),
    b("passlib.hash.sha512_crypt.verify", SlowPasswordHash),
    cheap("pathlib.Path.absolute", BlockingPathCall),
    b("pathlib.Path.chmod", BlockingPathCall),
    cheap("pathlib.Path.cwd", BlockingPathCall),
    b("pathlib.Path.exists", BlockingPathCall),
    cheap("pathlib.Path.expanduser", BlockingPathCall),
    b("pathlib.Path.glob", BlockingPathCall),
    b("pathlib.Path.group", BlockingPathCall),
    b("pathlib.Path.hardlink_to", BlockingPathCall),
    cheap("pathlib.Path.home", BlockingPathCall),
    b("pathlib.Path.is_block_device", BlockingPathCall),
    b("pathlib.Path.is_char_device", BlockingPathCall),
    b("pathlib.Path.is_dir", BlockingPathCall),
    b("pathlib.Path.is_fifo", BlockingPathCall),
    b("pathlib.Path.is_file", BlockingPathCall),
    b("pathlib.Path.is_junction", BlockingPathCall),
    b("pathlib.Path.is_mount", BlockingPathCall),
    b("pathlib.Path.is_socket", BlockingPathCall),
    b("pathlib.Path.is_symlink", BlockingPathCall),
    b("pathlib.Path.iterdir", BlockingPathCall),
    b("pathlib.Path.lchmod", BlockingPathCall),
    b("pathlib.Path.lstat", BlockingPathCall),
    b("pathlib.Path.mkdir", BlockingPathCall),
    b("pathlib.Path.open", OpenFile),
    b("pathlib.Path.owner", BlockingPathCall),
    b("pathlib.Path.read_bytes", BlockingPathCall),
    b("pathlib.Path.read_text", BlockingPathCall),
    b("pathlib.Path.readlink", BlockingPathCall),
    b("pathlib.Path.rename", BlockingPathCall),
    b("pathlib.Path.replace", BlockingPathCall),
    b("pathlib.Path.resolve", BlockingPathCall),
    b("pathlib.Path.rglob", BlockingPathCall),
    b("pathlib.Path.rmdir", BlockingPathCall),
    b("pathlib.Path.samefile", BlockingPathCall),
    b("pathlib.Path.stat", BlockingPathCall),
    b("pathlib.Path.symlink_to", BlockingPathCall),
    b("pathlib.Path.touch", BlockingPathCall),
    b("pathlib.Path.unlink", BlockingPathCall),
    b("pathlib.Path.walk", BlockingPathCall),
    b("pathlib.Path.write_bytes", BlockingPathCall),
    b("pathlib.Path.write_text", BlockingPathCall),
    b("pika.BlockingConnection", BlockingSdkCall),
    b("pika.BlockingConnection.channel", BlockingSdkCall),
    b(
        "pika.adapters.blocking_connection.BlockingChannel.*",
        BlockingSdkCall,
    ),
    b("pinecone.Index.*", SyncDatabaseCall),
    b("pinecone.Pinecone.configure_index", SyncDatabaseCall),
    b("pinecone.Pinecone.create_index", SyncDatabaseCall),
    b("pinecone.Pinecone.delete_index", SyncDatabaseCall),
    b("pinecone.Pinecone.describe_index", SyncDatabaseCall),
    b("pinecone.Pinecone.has_index", SyncDatabaseCall),
    b("pinecone.Pinecone.list_indexes", SyncDatabaseCall),
    b("poplib.POP3", BlockingNetworkCall),
    b("poplib.POP3.*", BlockingNetworkCall),
    b("poplib.POP3_SSL", BlockingNetworkCall),
    b("poplib.POP3_SSL.*", BlockingNetworkCall),
    b(
        "postgrest.SyncFilterRequestBuilder.execute",
        SyncDatabaseCall,
    ),
    b(
        "postgrest.SyncQueryRequestBuilder.execute",
        SyncDatabaseCall,
    ),
    b(
        "postgrest.SyncRPCFilterRequestBuilder.execute",
        SyncDatabaseCall,
    ),
    b(
        "postgrest.SyncSelectRequestBuilder.execute",
        SyncDatabaseCall,
    ),
    b("psycopg.Connection.*", SyncDatabaseCall),
    ok("psycopg.Connection.cursor"),
    b("psycopg.Cursor.*", SyncDatabaseCall),
    b("psycopg.connect", SyncDatabaseCall),
    b("psycopg2.connect", SyncDatabaseCall),
    b("psycopg2.extensions.connection.*", SyncDatabaseCall),
    ok("psycopg2.extensions.connection.cursor"),
    b("psycopg2.extensions.cursor.*", SyncDatabaseCall),
    b("pwdlib.PasswordHash.hash", SlowPasswordHash),
    b("pwdlib.PasswordHash.verify", SlowPasswordHash),
    b("pwdlib.PasswordHash.verify_and_update", SlowPasswordHash),
    b("pymongo.MongoClient.*", SyncDatabaseCall),
    ok("pymongo.MongoClient.get_database"),
    ok("pymongo.MongoClient.get_default_database"),
    b("pymongo.collection.Collection.*", SyncDatabaseCall),
    ok("pymongo.collection.Collection.with_options"),
    b("pymongo.cursor.Cursor.*", SyncDatabaseCall),
    ok("pymongo.cursor.Cursor.limit"),
    ok("pymongo.cursor.Cursor.skip"),
    ok("pymongo.cursor.Cursor.sort"),
    b("pymongo.database.Database.*", SyncDatabaseCall),
    ok("pymongo.database.Database.get_collection"),
    b("pymssql.Connection.*", SyncDatabaseCall),
    ok("pymssql.Connection.cursor"),
    b("pymssql.Cursor.*", SyncDatabaseCall),
    b("pymssql.connect", SyncDatabaseCall),
    b("pymysql.connect", SyncDatabaseCall),
    b("pymysql.connections.Connection.*", SyncDatabaseCall),
    ok("pymysql.connections.Connection.cursor"),
    b("pymysql.cursors.Cursor.*", SyncDatabaseCall),
    b("pyodbc.Connection.*", SyncDatabaseCall),
    ok("pyodbc.Connection.cursor"),
    b("pyodbc.Cursor.*", SyncDatabaseCall),
    b("pyodbc.connect", SyncDatabaseCall),
    b("qdrant_client.QdrantClient.*", SyncDatabaseCall),
    blockarg("queue.Queue.get", BlockingWait),
    b("queue.Queue.join", BlockingWait),
    // No `put`: it waits only on a queue built with a `maxsize` and full, while handing
    // work to a thread through an unbounded queue is the common, correct use.
    b("redis.Redis.*", SyncRedisCall),
    // Constructors: they build a connection pool and connect on the first command.
    ok("redis.Redis.from_pool"),
    ok("redis.Redis.from_url"),
    ok("redis.Redis.get_connection_kwargs"),
    ok("redis.Redis.lock"),
    ok("redis.Redis.pipeline"),
    ok("redis.Redis.pubsub"),
    ok("redis.Redis.register_script"),
    b("redis.client.Pipeline.execute", SyncRedisCall),
    b("redis.client.PubSub.get_message", SyncRedisCall),
    b("redis.client.PubSub.listen", SyncRedisCall),
    b("redis.client.PubSub.psubscribe", SyncRedisCall),
    b("redis.client.PubSub.subscribe", SyncRedisCall),
    b("redis.lock.Lock.acquire", SyncRedisCall),
    b("redis.lock.Lock.release", SyncRedisCall),
    b("requests.Session.delete", BlockingHttpClientCall),
    b("requests.Session.get", BlockingHttpClientCall),
    b("requests.Session.head", BlockingHttpClientCall),
    b("requests.Session.options", BlockingHttpClientCall),
    b("requests.Session.patch", BlockingHttpClientCall),
    b("requests.Session.post", BlockingHttpClientCall),
    b("requests.Session.put", BlockingHttpClientCall),
    b("requests.Session.request", BlockingHttpClientCall),
    b("requests.Session.send", BlockingHttpClientCall),
    b("requests.delete", BlockingHttpCall),
    b("requests.get", BlockingHttpCall),
    b("requests.head", BlockingHttpCall),
    b("requests.options", BlockingHttpCall),
    b("requests.patch", BlockingHttpCall),
    b("requests.post", BlockingHttpCall),
    b("requests.put", BlockingHttpCall),
    b("requests.request", BlockingHttpCall),
    b("sendgrid.SendGridAPIClient.send", BlockingSdkCall),
    b("sentence_transformers.CrossEncoder", MlModelCall),
    b("sentence_transformers.CrossEncoder.predict", MlModelCall),
    b("sentence_transformers.CrossEncoder.rank", MlModelCall),
    b("sentence_transformers.SentenceTransformer", MlModelCall),
    b(
        "sentence_transformers.SentenceTransformer.encode",
        MlModelCall,
    ),
    b("shutil.copy", BlockingFilesystemCall),
    b("shutil.copy2", BlockingFilesystemCall),
    b("shutil.copyfile", BlockingFilesystemCall),
    b("shutil.copyfileobj", BlockingFilesystemCall),
    b("shutil.copytree", BlockingFilesystemCall),
    b("shutil.disk_usage", BlockingFilesystemCall),
    b("shutil.make_archive", BlockingFilesystemCall),
    b("shutil.move", BlockingFilesystemCall),
    b("shutil.rmtree", BlockingFilesystemCall),
    b("shutil.unpack_archive", BlockingFilesystemCall),
    b("shutil.which", BlockingFilesystemCall),
    b("slack_sdk.WebClient.*", BlockingSdkCall),
    b("smtplib.SMTP", BlockingSdkCall),
    b("smtplib.SMTP.*", BlockingSdkCall),
    b("smtplib.SMTP_SSL", BlockingSdkCall),
    b("snowflake.connector.connect", SyncDatabaseCall),
    b(
        "snowflake.connector.connection.SnowflakeConnection.*",
        SyncDatabaseCall,
    ),
    ok("snowflake.connector.connection.SnowflakeConnection.cursor"),
    b(
        "snowflake.connector.cursor.SnowflakeCursor.*",
        SyncDatabaseCall,
    ),
    b("socket.create_connection", BlockingNetworkCall),
    b("socket.getaddrinfo", BlockingNetworkCall),
    b("socket.gethostbyaddr", BlockingNetworkCall),
    b("socket.gethostbyname", BlockingNetworkCall),
    b("socket.gethostbyname_ex", BlockingNetworkCall),
    b("socket.getnameinfo", BlockingNetworkCall),
    b("socket.socket.accept", BlockingNetworkCall),
    b("socket.socket.connect", BlockingNetworkCall),
    b("socket.socket.recv", BlockingNetworkCall),
    b("socket.socket.recvfrom", BlockingNetworkCall),
    b("socket.socket.send", BlockingNetworkCall),
    b("socket.socket.sendall", BlockingNetworkCall),
    b("socket.socket.sendto", BlockingNetworkCall),
    b("spacy.language.Language.__call__", MlModelCall),
    b("spacy.language.Language.pipe", MlModelCall),
    b("spacy.load", MlModelCall),
    b("sqlalchemy.engine.Connection.*", SyncSqlalchemyCall),
    ok("sqlalchemy.engine.Connection.execution_options"),
    b("sqlalchemy.engine.Engine.begin", SyncSqlalchemyCall),
    b("sqlalchemy.engine.Engine.connect", SyncSqlalchemyCall),
    b("sqlalchemy.engine.Engine.dispose", SyncSqlalchemyCall),
    b("sqlalchemy.orm.Query.*", SyncSqlalchemyCall),
    ok("sqlalchemy.orm.Query.filter"),
    ok("sqlalchemy.orm.Query.filter_by"),
    ok("sqlalchemy.orm.Query.join"),
    ok("sqlalchemy.orm.Query.limit"),
    ok("sqlalchemy.orm.Query.offset"),
    ok("sqlalchemy.orm.Query.options"),
    ok("sqlalchemy.orm.Query.order_by"),
    ok("sqlalchemy.orm.Query.outerjoin"),
    ok("sqlalchemy.orm.Query.where"),
    b("sqlalchemy.orm.Session.*", SyncSqlalchemyCall),
    ok("sqlalchemy.orm.Session.add"),
    ok("sqlalchemy.orm.Session.add_all"),
    ok("sqlalchemy.orm.Session.expire"),
    ok("sqlalchemy.orm.Session.expunge"),
    ok("sqlalchemy.orm.Session.query"),
    b("sqlite3.Connection.*", SyncDatabaseCall),
    ok("sqlite3.Connection.cursor"),
    b("sqlite3.Cursor.*", SyncDatabaseCall),
    b("sqlite3.connect", SyncDatabaseCall),
    b("ssl.SSLContext.load_cert_chain", ClientBuiltOnLoop),
    b("ssl.SSLContext.load_default_certs", ClientBuiltOnLoop),
    b("ssl.SSLContext.load_verify_locations", ClientBuiltOnLoop),
    b("ssl.create_default_context", ClientBuiltOnLoop),
    b("storage3.SyncBucketProxy.*", BlockingSdkCall),
    ok("storage3.SyncBucketProxy.get_public_url"),
    b("storage3.SyncStorageClient.*", BlockingSdkCall),
    ok("storage3.SyncStorageClient.from_"),
    b("stripe.Charge.*", BlockingSdkCall),
    b("stripe.Customer.*", BlockingSdkCall),
    b("stripe.Invoice.*", BlockingSdkCall),
    b("stripe.PaymentIntent.*", BlockingSdkCall),
    b("stripe.PaymentMethod.*", BlockingSdkCall),
    b("stripe.Price.*", BlockingSdkCall),
    b("stripe.Product.*", BlockingSdkCall),
    b("stripe.Refund.*", BlockingSdkCall),
    b("stripe.SetupIntent.*", BlockingSdkCall),
    b("stripe.Subscription.*", BlockingSdkCall),
    b("stripe.checkout.Session.*", BlockingSdkCall),
    b("subprocess.Popen", CreateProcess),
    b("subprocess.Popen.communicate", WaitForProcess),
    b("subprocess.Popen.wait", WaitForProcess),
    b("subprocess.call", RunProcess),
    b("subprocess.check_call", RunProcess),
    b("subprocess.check_output", RunProcess),
    b("subprocess.getoutput", RunProcess),
    b("subprocess.getstatusoutput", RunProcess),
    b("subprocess.run", RunProcess),
    b("supabase_auth.SyncGoTrueAdminAPI.*", BlockingSdkCall),
    b("supabase_auth.SyncGoTrueClient.*", BlockingSdkCall),
    ok("supabase_auth.SyncGoTrueClient.on_auth_state_change"),
    b("supafunc.SyncFunctionsClient.invoke", BlockingSdkCall),
    path_arg("tarfile.open", OpenFile),
    b("tempfile.NamedTemporaryFile", OpenFile),
    b("tempfile.TemporaryDirectory", BlockingFilesystemCall),
    b("tempfile.TemporaryFile", OpenFile),
    b("tempfile.mkdtemp", BlockingFilesystemCall),
    b("tempfile.mkstemp", OpenFile),
    b("threading.Barrier.wait", BlockingWait),
    cheap("threading.Condition.__enter__", BlockingWait),
    b("threading.Condition.wait", BlockingWait),
    b("threading.Condition.wait_for", BlockingWait),
    blockarg("threading.Event.wait", BlockingWait),
    cheap("threading.Lock.__enter__", BlockingWait),
    lock_acquire("threading.Lock.acquire"),
    cheap("threading.Semaphore.__enter__", BlockingWait),
    lock_acquire("threading.Semaphore.acquire"),
    blockarg("threading.Thread.join", BlockingWait),
    b("time.sleep", TimeSleep),
    b("torch.load", MlModelCall),
    b("transformers.AutoModel.from_pretrained", MlModelCall),
    b(
        "transformers.AutoModelForCausalLM.from_pretrained",
        MlModelCall,
    ),
    b(
        "transformers.AutoModelForSeq2SeqLM.from_pretrained",
        MlModelCall,
    ),
    b(
        "transformers.AutoModelForSequenceClassification.from_pretrained",
        MlModelCall,
    ),
    b("transformers.AutoTokenizer.from_pretrained", MlModelCall),
    b("transformers.Pipeline.__call__", MlModelCall),
    b("transformers.PreTrainedModel.generate", MlModelCall),
    b("transformers.pipeline", MlModelCall),
    b("trio.run", LoopRunner),
    b(
        "twilio.rest.api.v2010.account.call.CallList.create",
        BlockingSdkCall,
    ),
    b(
        "twilio.rest.api.v2010.account.message.MessageList.create",
        BlockingSdkCall,
    ),
    b(
        "twilio.rest.api.v2010.account.message.MessageList.list",
        BlockingSdkCall,
    ),
    b("urllib.request.OpenerDirector.open", BlockingHttpCall),
    b("urllib.request.urlopen", BlockingHttpCall),
    b("urllib.request.urlretrieve", BlockingHttpCall),
    b("urllib3.PoolManager.request", BlockingHttpClientCall),
    b("urllib3.PoolManager.urlopen", BlockingHttpClientCall),
    b("urllib3.request", BlockingHttpCall),
    b("weaviate.WeaviateClient.connect", SyncDatabaseCall),
    b("weaviate.collections.Collections.create", SyncDatabaseCall),
    b("weaviate.collections.Collections.delete", SyncDatabaseCall),
    b("weaviate.collections.Collections.exists", SyncDatabaseCall),
    b(
        "weaviate.collections.Collections.list_all",
        SyncDatabaseCall,
    ),
    b(
        "weaviate.collections.aggregate.Aggregate.*",
        SyncDatabaseCall,
    ),
    b("weaviate.collections.data.Data.*", SyncDatabaseCall),
    b("weaviate.collections.query.Query.*", SyncDatabaseCall),
    b("weaviate.connect_to_custom", SyncDatabaseCall),
    b("weaviate.connect_to_local", SyncDatabaseCall),
    b("weaviate.connect_to_weaviate_cloud", SyncDatabaseCall),
    b("werkzeug.security.check_password_hash", SlowPasswordHash),
    b("werkzeug.security.generate_password_hash", SlowPasswordHash),
    b("whisper.load_model", MlModelCall),
    b("whisper.model.Whisper.transcribe", MlModelCall),
    b("whisper.transcribe", MlModelCall),
    b("xmlrpc.client.ServerProxy.*", BlockingNetworkCall),
    path_arg("zipfile.ZipFile", OpenFile),
];

/// What calling (or reading an attribute of) a known name gives back: `requests.Session()`
/// is a `requests.Session`. Rows ending in `()` are calls, others attribute reads. Sorted.
pub static TYPES: &[(&str, &str)] = &[
    ("MySQLdb.connect()", "MySQLdb.connections.Connection"),
    (
        "MySQLdb.connections.Connection.cursor()",
        "MySQLdb.cursors.Cursor",
    ),
    ("PIL.Image.new()", "PIL.Image.Image"),
    ("PIL.Image.open()", "PIL.Image.Image"),
    ("aiohttp.web.Application()", "aiohttp.web.Application"),
    (
        "aiohttp.web.Application.router",
        "aiohttp.web.UrlDispatcher",
    ),
    ("aiohttp.web.RouteTableDef()", "aiohttp.web.RouteTableDef"),
    ("anthropic.Anthropic()", "anthropic.Anthropic"),
    (
        "anthropic.Anthropic.messages",
        "anthropic.resources.Messages",
    ),
    ("argon2.PasswordHasher()", "argon2.PasswordHasher"),
    ("asgiref.sync.async_to_sync()", "asgiref.sync.AsyncToSync"),
    ("asyncio.get_event_loop()", "asyncio.AbstractEventLoop"),
    ("asyncio.get_running_loop()", "asyncio.AbstractEventLoop"),
    ("asyncio.new_event_loop()", "asyncio.AbstractEventLoop"),
    (
        "asyncio.run_coroutine_threadsafe()",
        "concurrent.futures.Future",
    ),
    (
        "azure.storage.blob.BlobClient.download_blob()",
        "azure.storage.blob.StorageStreamDownloader",
    ),
    (
        "azure.storage.blob.BlobClient.from_connection_string()",
        "azure.storage.blob.BlobClient",
    ),
    (
        "azure.storage.blob.BlobServiceClient.from_connection_string()",
        "azure.storage.blob.BlobServiceClient",
    ),
    (
        "azure.storage.blob.BlobServiceClient.get_blob_client()",
        "azure.storage.blob.BlobClient",
    ),
    (
        "azure.storage.blob.BlobServiceClient.get_container_client()",
        "azure.storage.blob.ContainerClient",
    ),
    (
        "azure.storage.blob.ContainerClient.download_blob()",
        "azure.storage.blob.StorageStreamDownloader",
    ),
    (
        "azure.storage.blob.ContainerClient.from_connection_string()",
        "azure.storage.blob.ContainerClient",
    ),
    (
        "azure.storage.blob.ContainerClient.get_blob_client()",
        "azure.storage.blob.BlobClient",
    ),
    ("boto3.client()", "botocore.client.BaseClient"),
    ("boto3.resource()", "boto3.resources.base.ServiceResource"),
    (
        "boto3.resources.base.ServiceResource.Bucket()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Image()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Instance()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Message()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.MultipartUpload()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Object()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.ObjectSummary()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.ObjectVersion()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Policy()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Queue()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Role()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.SecurityGroup()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Subscription()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Table()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Topic()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.User()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.Volume()",
        "boto3.resources.base.ServiceResource",
    ),
    (
        "boto3.resources.base.ServiceResource.buckets",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.images",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.instances",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.object_versions",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.objects",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.policies",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.queues",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.roles",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.security_groups",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.tables",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.users",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.base.ServiceResource.volumes",
        "boto3.resources.collection.CollectionManager",
    ),
    (
        "boto3.resources.collection.CollectionManager.all()",
        "boto3.resources.collection.ResourceCollection",
    ),
    (
        "boto3.resources.collection.CollectionManager.filter()",
        "boto3.resources.collection.ResourceCollection",
    ),
    (
        "boto3.resources.collection.CollectionManager.limit()",
        "boto3.resources.collection.ResourceCollection",
    ),
    (
        "boto3.resources.collection.CollectionManager.page_size()",
        "boto3.resources.collection.ResourceCollection",
    ),
    (
        "boto3.resources.collection.ResourceCollection.all()",
        "boto3.resources.collection.ResourceCollection",
    ),
    (
        "boto3.resources.collection.ResourceCollection.filter()",
        "boto3.resources.collection.ResourceCollection",
    ),
    (
        "boto3.resources.collection.ResourceCollection.limit()",
        "boto3.resources.collection.ResourceCollection",
    ),
    (
        "boto3.resources.collection.ResourceCollection.page_size()",
        "boto3.resources.collection.ResourceCollection",
    ),
    ("boto3.session.Session()", "boto3.session.Session"),
    (
        "boto3.session.Session.client()",
        "botocore.client.BaseClient",
    ),
    (
        "boto3.session.Session.resource()",
        "boto3.resources.base.ServiceResource",
    ),
    ("cassandra.cluster.Cluster()", "cassandra.cluster.Cluster"),
    (
        "cassandra.cluster.Cluster.connect()",
        "cassandra.cluster.Session",
    ),
    (
        "cassandra.cluster.Session.execute_async()",
        "cassandra.cluster.ResponseFuture",
    ),
    ("celery.Celery()", "celery.Celery"),
    ("celery.Celery.send_task()", "celery.result.AsyncResult"),
    (
        "celery.app.task.Task.apply_async()",
        "celery.result.AsyncResult",
    ),
    ("celery.app.task.Task.delay()", "celery.result.AsyncResult"),
    ("celery.result.AsyncResult()", "celery.result.AsyncResult"),
    ("celery.result.GroupResult()", "celery.result.GroupResult"),
    ("chromadb.Client()", "chromadb.api.ClientAPI"),
    ("chromadb.CloudClient()", "chromadb.api.ClientAPI"),
    ("chromadb.EphemeralClient()", "chromadb.api.ClientAPI"),
    ("chromadb.HttpClient()", "chromadb.api.ClientAPI"),
    ("chromadb.PersistentClient()", "chromadb.api.ClientAPI"),
    (
        "chromadb.api.ClientAPI.create_collection()",
        "chromadb.Collection",
    ),
    (
        "chromadb.api.ClientAPI.get_collection()",
        "chromadb.Collection",
    ),
    (
        "chromadb.api.ClientAPI.get_or_create_collection()",
        "chromadb.Collection",
    ),
    (
        "clickhouse_connect.get_client()",
        "clickhouse_connect.driver.client.Client",
    ),
    ("cohere.Client()", "cohere.Client"),
    // `executor.map(f, xs)` submits every call at once, and `as_completed(fs)` returns at
    // once: looping over what they return waits for each result in turn.
    (
        "concurrent.futures.Executor.map()",
        "concurrent.futures._base.result_iterator",
    ),
    (
        "concurrent.futures.Executor.submit()",
        "concurrent.futures.Future",
    ),
    (
        "concurrent.futures.ProcessPoolExecutor()",
        "concurrent.futures.Executor",
    ),
    (
        "concurrent.futures.ThreadPoolExecutor()",
        "concurrent.futures.Executor",
    ),
    (
        "concurrent.futures.as_completed()",
        "concurrent.futures._base.as_completed_iterator",
    ),
    (
        "django.db.models.Manager.all()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.annotate()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.create()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.Manager.defer()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.distinct()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.earliest()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.Manager.exclude()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.filter()",
        "django.db.models.QuerySet",
    ),
    ("django.db.models.Manager.first()", "django.db.models.Model"),
    ("django.db.models.Manager.get()", "django.db.models.Model"),
    ("django.db.models.Manager.last()", "django.db.models.Model"),
    (
        "django.db.models.Manager.latest()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.Manager.only()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.order_by()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.prefetch_related()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.select_for_update()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.select_related()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.using()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.values()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.Manager.values_list()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.all()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.annotate()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.create()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.QuerySet.defer()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.distinct()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.earliest()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.QuerySet.exclude()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.filter()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.first()",
        "django.db.models.Model",
    ),
    ("django.db.models.QuerySet.get()", "django.db.models.Model"),
    ("django.db.models.QuerySet.last()", "django.db.models.Model"),
    (
        "django.db.models.QuerySet.latest()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.QuerySet.only()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.order_by()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.prefetch_related()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.select_for_update()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.select_related()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.using()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.values()",
        "django.db.models.QuerySet",
    ),
    (
        "django.db.models.QuerySet.values_list()",
        "django.db.models.QuerySet",
    ),
    ("docker.DockerClient()", "docker.DockerClient"),
    (
        "docker.DockerClient.containers",
        "docker.models.containers.ContainerCollection",
    ),
    (
        "docker.DockerClient.images",
        "docker.models.images.ImageCollection",
    ),
    ("docker.from_env()", "docker.DockerClient"),
    (
        "docker.models.containers.ContainerCollection.create()",
        "docker.models.containers.Container",
    ),
    (
        "docker.models.containers.ContainerCollection.get()",
        "docker.models.containers.Container",
    ),
    (
        "docker.models.containers.ContainerCollection.run()",
        "docker.models.containers.Container",
    ),
    (
        "elasticsearch.Elasticsearch()",
        "elasticsearch.Elasticsearch",
    ),
    ("fastapi.APIRouter()", "fastapi.APIRouter"),
    ("fastapi.FastAPI()", "fastapi.FastAPI"),
    ("fastapi.FastAPI.state", "starlette.datastructures.State"),
    (
        "firebase_admin.firestore.client()",
        "google.cloud.firestore.Client",
    ),
    ("flask.Blueprint()", "flask.Blueprint"),
    ("flask.Flask()", "flask.Flask"),
    ("ftplib.FTP()", "ftplib.FTP"),
    (
        "google.cloud.firestore.Client()",
        "google.cloud.firestore.Client",
    ),
    (
        "google.cloud.firestore.Client.batch()",
        "google.cloud.firestore.WriteBatch",
    ),
    (
        "google.cloud.firestore.Client.collection()",
        "google.cloud.firestore.CollectionReference",
    ),
    (
        "google.cloud.firestore.Client.document()",
        "google.cloud.firestore.DocumentReference",
    ),
    (
        "google.cloud.firestore.CollectionReference.document()",
        "google.cloud.firestore.DocumentReference",
    ),
    (
        "google.cloud.firestore.CollectionReference.end_at()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.CollectionReference.end_before()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.CollectionReference.limit()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.CollectionReference.limit_to_last()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.CollectionReference.offset()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.CollectionReference.order_by()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.CollectionReference.select()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.CollectionReference.start_after()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.CollectionReference.start_at()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.CollectionReference.where()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.DocumentReference.collection()",
        "google.cloud.firestore.CollectionReference",
    ),
    (
        "google.cloud.firestore.Query.end_at()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.Query.end_before()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.Query.limit()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.Query.limit_to_last()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.Query.offset()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.Query.order_by()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.Query.select()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.Query.start_after()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.Query.start_at()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.firestore.Query.where()",
        "google.cloud.firestore.Query",
    ),
    (
        "google.cloud.storage.Bucket.blob()",
        "google.cloud.storage.Blob",
    ),
    (
        "google.cloud.storage.Bucket.get_blob()",
        "google.cloud.storage.Blob",
    ),
    (
        "google.cloud.storage.Client()",
        "google.cloud.storage.Client",
    ),
    (
        "google.cloud.storage.Client.bucket()",
        "google.cloud.storage.Bucket",
    ),
    (
        "google.cloud.storage.Client.get_bucket()",
        "google.cloud.storage.Bucket",
    ),
    ("google.genai.Client()", "google.genai.Client"),
    ("google.genai.Client.chats", "google.genai.chats.Chats"),
    ("google.genai.Client.files", "google.genai.files.Files"),
    ("google.genai.Client.models", "google.genai.models.Models"),
    (
        "google.genai.chats.Chats.create()",
        "google.genai.chats.Chat",
    ),
    (
        "google.generativeai.GenerativeModel()",
        "google.generativeai.GenerativeModel",
    ),
    (
        "google.generativeai.GenerativeModel.start_chat()",
        "google.generativeai.ChatSession",
    ),
    (
        "googleapiclient.discovery.Resource.*()",
        "googleapiclient.discovery.Resource",
    ),
    (
        "googleapiclient.discovery.Resource.execute()",
        "builtins.dict",
    ),
    (
        "googleapiclient.discovery.build()",
        "googleapiclient.discovery.Resource",
    ),
    (
        "googleapiclient.http.MediaIoBaseDownload()",
        "googleapiclient.http.MediaIoBaseDownload",
    ),
    ("groq.Groq()", "groq.Groq"),
    ("groq.Groq.audio", "groq.resources.Audio"),
    ("groq.Groq.chat", "groq.resources.Chat"),
    ("groq.Groq.embeddings", "groq.resources.Embeddings"),
    (
        "groq.resources.Audio.transcriptions",
        "groq.resources.audio.Transcriptions",
    ),
    (
        "groq.resources.Chat.completions",
        "groq.resources.chat.Completions",
    ),
    ("gspread.authorize()", "gspread.client.Client"),
    (
        "gspread.client.Client.open()",
        "gspread.spreadsheet.Spreadsheet",
    ),
    (
        "gspread.client.Client.open_by_key()",
        "gspread.spreadsheet.Spreadsheet",
    ),
    (
        "gspread.client.Client.open_by_url()",
        "gspread.spreadsheet.Spreadsheet",
    ),
    ("gspread.oauth()", "gspread.client.Client"),
    ("gspread.service_account()", "gspread.client.Client"),
    (
        "gspread.spreadsheet.Spreadsheet.add_worksheet()",
        "gspread.worksheet.Worksheet",
    ),
    (
        "gspread.spreadsheet.Spreadsheet.get_worksheet()",
        "gspread.worksheet.Worksheet",
    ),
    (
        "gspread.spreadsheet.Spreadsheet.sheet1",
        "gspread.worksheet.Worksheet",
    ),
    (
        "gspread.spreadsheet.Spreadsheet.worksheet()",
        "gspread.worksheet.Worksheet",
    ),
    ("http.client.HTTPConnection()", "http.client.HTTPConnection"),
    (
        "http.client.HTTPConnection.getresponse()",
        "http.client.HTTPResponse",
    ),
    (
        "http.client.HTTPSConnection()",
        "http.client.HTTPConnection",
    ),
    ("httpx.Client()", "httpx.Client"),
    ("imaplib.IMAP4()", "imaplib.IMAP4"),
    ("imaplib.IMAP4_SSL()", "imaplib.IMAP4_SSL"),
    ("jwt.PyJWKClient()", "jwt.PyJWKClient"),
    ("kafka.KafkaProducer()", "kafka.KafkaProducer"),
    (
        "langchain_core.language_models.BaseChatModel.__or__()",
        "langchain_core.runnables.RunnableSequence",
    ),
    (
        "langchain_core.language_models.BaseChatModel.__ror__()",
        "langchain_core.runnables.RunnableSequence",
    ),
    (
        "langchain_core.prompts.ChatPromptTemplate.__or__()",
        "langchain_core.runnables.RunnableSequence",
    ),
    (
        "langchain_core.prompts.ChatPromptTemplate.__ror__()",
        "langchain_core.runnables.RunnableSequence",
    ),
    (
        "langchain_core.prompts.ChatPromptTemplate.from_messages()",
        "langchain_core.prompts.ChatPromptTemplate",
    ),
    (
        "langchain_core.prompts.ChatPromptTemplate.from_template()",
        "langchain_core.prompts.ChatPromptTemplate",
    ),
    (
        "langchain_core.prompts.PromptTemplate.__or__()",
        "langchain_core.runnables.RunnableSequence",
    ),
    (
        "langchain_core.prompts.PromptTemplate.__ror__()",
        "langchain_core.runnables.RunnableSequence",
    ),
    (
        "langchain_core.prompts.PromptTemplate.from_template()",
        "langchain_core.prompts.PromptTemplate",
    ),
    (
        "langchain_core.runnables.RunnableSequence.__or__()",
        "langchain_core.runnables.RunnableSequence",
    ),
    (
        "langchain_core.runnables.RunnableSequence.__ror__()",
        "langchain_core.runnables.RunnableSequence",
    ),
    (
        "langchain_core.vectorstores.VectorStore.as_retriever()",
        "langchain_core.retrievers.BaseRetriever",
    ),
    (
        "langchain_core.vectorstores.VectorStore.from_documents()",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_core.vectorstores.VectorStore.from_texts()",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_core.vectorstores.VectorStore.load_local()",
        "langchain_core.vectorstores.VectorStore",
    ),
    ("meilisearch.Client()", "meilisearch.Client"),
    ("meilisearch.Client.index()", "meilisearch.index.Index"),
    ("mistralai.Mistral()", "mistralai.Mistral"),
    ("mistralai.Mistral.chat", "mistralai.chat.Chat"),
    (
        "mistralai.Mistral.embeddings",
        "mistralai.embeddings.Embeddings",
    ),
    ("multiprocessing.Pool()", "multiprocessing.pool.Pool"),
    ("multiprocessing.Process()", "multiprocessing.Process"),
    (
        "multiprocessing.pool.Pool.apply_async()",
        "multiprocessing.pool.AsyncResult",
    ),
    (
        "multiprocessing.pool.Pool.imap()",
        "multiprocessing.pool.IMapIterator",
    ),
    (
        "multiprocessing.pool.Pool.imap_unordered()",
        "multiprocessing.pool.IMapIterator",
    ),
    (
        "multiprocessing.pool.Pool.map_async()",
        "multiprocessing.pool.AsyncResult",
    ),
    (
        "multiprocessing.pool.Pool.starmap_async()",
        "multiprocessing.pool.AsyncResult",
    ),
    (
        "multiprocessing.pool.ThreadPool()",
        "multiprocessing.pool.Pool",
    ),
    (
        "mysql.connector.connect()",
        "mysql.connector.connection.MySQLConnection",
    ),
    (
        "mysql.connector.connection.MySQLConnection.cursor()",
        "mysql.connector.cursor.MySQLCursor",
    ),
    ("neo4j.Driver.session()", "neo4j.Session"),
    ("neo4j.GraphDatabase.driver()", "neo4j.Driver"),
    ("ollama.Client()", "ollama.Client"),
    ("openai.AzureOpenAI()", "openai.OpenAI"),
    ("openai.OpenAI()", "openai.OpenAI"),
    ("openai.OpenAI.audio", "openai.resources.Audio"),
    ("openai.OpenAI.chat", "openai.resources.Chat"),
    ("openai.OpenAI.completions", "openai.resources.Completions"),
    ("openai.OpenAI.embeddings", "openai.resources.Embeddings"),
    ("openai.OpenAI.images", "openai.resources.Images"),
    ("openai.OpenAI.moderations", "openai.resources.Moderations"),
    ("openai.OpenAI.responses", "openai.resources.Responses"),
    (
        "openai.resources.Audio.speech",
        "openai.resources.audio.Speech",
    ),
    (
        "openai.resources.Audio.transcriptions",
        "openai.resources.audio.Transcriptions",
    ),
    (
        "openai.resources.Chat.completions",
        "openai.resources.chat.Completions",
    ),
    ("opensearchpy.OpenSearch()", "opensearchpy.OpenSearch"),
    ("oracledb.Connection.cursor()", "oracledb.Cursor"),
    ("oracledb.connect()", "oracledb.Connection"),
    ("pandas.DataFrame()", "pandas.DataFrame"),
    ("pandas.DataFrame.*()", "pandas.DataFrame"),
    ("pandas.Series()", "pandas.Series"),
    ("pandas.read_csv()", "pandas.DataFrame"),
    ("pandas.read_excel()", "pandas.DataFrame"),
    ("pandas.read_feather()", "pandas.DataFrame"),
    ("pandas.read_fwf()", "pandas.DataFrame"),
    ("pandas.read_json()", "pandas.DataFrame"),
    ("pandas.read_orc()", "pandas.DataFrame"),
    ("pandas.read_parquet()", "pandas.DataFrame"),
    ("pandas.read_sql()", "pandas.DataFrame"),
    ("pandas.read_sql_query()", "pandas.DataFrame"),
    ("pandas.read_sql_table()", "pandas.DataFrame"),
    ("pandas.read_stata()", "pandas.DataFrame"),
    ("pandas.read_table()", "pandas.DataFrame"),
    ("pandas.read_xml()", "pandas.DataFrame"),
    ("paramiko.SSHClient.open_sftp()", "paramiko.SFTPClient"),
    (
        "passlib.context.CryptContext()",
        "passlib.context.CryptContext",
    ),
    ("pathlib.Path()", "pathlib.Path"),
    ("pathlib.Path.__truediv__()", "pathlib.Path"),
    ("pathlib.Path.absolute()", "pathlib.Path"),
    ("pathlib.Path.cwd()", "pathlib.Path"),
    ("pathlib.Path.expanduser()", "pathlib.Path"),
    ("pathlib.Path.home()", "pathlib.Path"),
    ("pathlib.Path.joinpath()", "pathlib.Path"),
    ("pathlib.Path.parent", "pathlib.Path"),
    ("pathlib.Path.resolve()", "pathlib.Path"),
    ("pathlib.Path.with_name()", "pathlib.Path"),
    ("pathlib.Path.with_stem()", "pathlib.Path"),
    ("pathlib.Path.with_suffix()", "pathlib.Path"),
    ("pika.BlockingConnection()", "pika.BlockingConnection"),
    (
        "pika.BlockingConnection.channel()",
        "pika.adapters.blocking_connection.BlockingChannel",
    ),
    ("pinecone.Pinecone.Index()", "pinecone.Index"),
    ("poplib.POP3()", "poplib.POP3"),
    ("poplib.POP3_SSL()", "poplib.POP3_SSL"),
    (
        "postgrest.SyncFilterRequestBuilder.*()",
        "postgrest.SyncFilterRequestBuilder",
    ),
    (
        "postgrest.SyncFilterRequestBuilder.execute()",
        "postgrest.APIResponse",
    ),
    (
        "postgrest.SyncPostgrestClient.from_()",
        "postgrest.SyncRequestBuilder",
    ),
    (
        "postgrest.SyncPostgrestClient.rpc()",
        "postgrest.SyncRPCFilterRequestBuilder",
    ),
    (
        "postgrest.SyncPostgrestClient.table()",
        "postgrest.SyncRequestBuilder",
    ),
    (
        "postgrest.SyncQueryRequestBuilder.*()",
        "postgrest.SyncQueryRequestBuilder",
    ),
    (
        "postgrest.SyncQueryRequestBuilder.execute()",
        "postgrest.APIResponse",
    ),
    (
        "postgrest.SyncRPCFilterRequestBuilder.*()",
        "postgrest.SyncRPCFilterRequestBuilder",
    ),
    (
        "postgrest.SyncRPCFilterRequestBuilder.execute()",
        "postgrest.APIResponse",
    ),
    (
        "postgrest.SyncRequestBuilder.delete()",
        "postgrest.SyncFilterRequestBuilder",
    ),
    (
        "postgrest.SyncRequestBuilder.insert()",
        "postgrest.SyncQueryRequestBuilder",
    ),
    (
        "postgrest.SyncRequestBuilder.select()",
        "postgrest.SyncSelectRequestBuilder",
    ),
    (
        "postgrest.SyncRequestBuilder.update()",
        "postgrest.SyncFilterRequestBuilder",
    ),
    (
        "postgrest.SyncRequestBuilder.upsert()",
        "postgrest.SyncQueryRequestBuilder",
    ),
    (
        "postgrest.SyncSelectRequestBuilder.*()",
        "postgrest.SyncSelectRequestBuilder",
    ),
    (
        "postgrest.SyncSelectRequestBuilder.execute()",
        "postgrest.APIResponse",
    ),
    ("psycopg.Connection.cursor()", "psycopg.Cursor"),
    ("psycopg.connect()", "psycopg.Connection"),
    ("psycopg2.connect()", "psycopg2.extensions.connection"),
    (
        "psycopg2.extensions.connection.cursor()",
        "psycopg2.extensions.cursor",
    ),
    ("pwdlib.PasswordHash()", "pwdlib.PasswordHash"),
    ("pwdlib.PasswordHash.recommended()", "pwdlib.PasswordHash"),
    ("pymongo.MongoClient()", "pymongo.MongoClient"),
    ("pymongo.MongoClient.*", "pymongo.database.Database"),
    (
        "pymongo.MongoClient.get_database()",
        "pymongo.database.Database",
    ),
    (
        "pymongo.collection.Collection.find()",
        "pymongo.cursor.Cursor",
    ),
    ("pymongo.cursor.Cursor.limit()", "pymongo.cursor.Cursor"),
    ("pymongo.cursor.Cursor.skip()", "pymongo.cursor.Cursor"),
    ("pymongo.cursor.Cursor.sort()", "pymongo.cursor.Cursor"),
    (
        "pymongo.database.Database.*",
        "pymongo.collection.Collection",
    ),
    (
        "pymongo.database.Database.get_collection()",
        "pymongo.collection.Collection",
    ),
    ("pymssql.Connection.cursor()", "pymssql.Cursor"),
    ("pymssql.connect()", "pymssql.Connection"),
    ("pymysql.connect()", "pymysql.connections.Connection"),
    (
        "pymysql.connections.Connection.cursor()",
        "pymysql.cursors.Cursor",
    ),
    ("pyodbc.Connection.cursor()", "pyodbc.Cursor"),
    ("pyodbc.connect()", "pyodbc.Connection"),
    ("quart.Blueprint()", "quart.Blueprint"),
    ("quart.Quart()", "quart.Quart"),
    ("queue.LifoQueue()", "queue.Queue"),
    ("queue.PriorityQueue()", "queue.Queue"),
    ("queue.Queue()", "queue.Queue"),
    ("redis.Redis()", "redis.Redis"),
    ("redis.Redis.from_url()", "redis.Redis"),
    ("redis.Redis.lock()", "redis.lock.Lock"),
    ("redis.Redis.pipeline()", "redis.client.Pipeline"),
    ("redis.Redis.pubsub()", "redis.client.PubSub"),
    ("redis.from_url()", "redis.Redis"),
    ("requests.Session()", "requests.Session"),
    ("requests.session()", "requests.Session"),
    ("sanic.Blueprint()", "sanic.Blueprint"),
    ("sanic.Sanic()", "sanic.Sanic"),
    ("sanic.Sanic.get_app()", "sanic.Sanic"),
    ("sendgrid.SendGridAPIClient()", "sendgrid.SendGridAPIClient"),
    ("slack_sdk.WebClient()", "slack_sdk.WebClient"),
    ("smtplib.SMTP()", "smtplib.SMTP"),
    ("smtplib.SMTP_SSL()", "smtplib.SMTP"),
    (
        "snowflake.connector.connect()",
        "snowflake.connector.connection.SnowflakeConnection",
    ),
    (
        "snowflake.connector.connection.SnowflakeConnection.cursor()",
        "snowflake.connector.cursor.SnowflakeCursor",
    ),
    ("socket.create_connection()", "socket.socket"),
    ("socket.socket()", "socket.socket"),
    ("spacy.load()", "spacy.language.Language"),
    ("sqlalchemy.create_engine()", "sqlalchemy.engine.Engine"),
    (
        "sqlalchemy.engine.Engine.begin()",
        "sqlalchemy.engine.Connection",
    ),
    (
        "sqlalchemy.engine.Engine.connect()",
        "sqlalchemy.engine.Connection",
    ),
    ("sqlalchemy.orm.Query.filter()", "sqlalchemy.orm.Query"),
    ("sqlalchemy.orm.Query.filter_by()", "sqlalchemy.orm.Query"),
    ("sqlalchemy.orm.Query.join()", "sqlalchemy.orm.Query"),
    ("sqlalchemy.orm.Query.limit()", "sqlalchemy.orm.Query"),
    ("sqlalchemy.orm.Query.offset()", "sqlalchemy.orm.Query"),
    ("sqlalchemy.orm.Query.options()", "sqlalchemy.orm.Query"),
    ("sqlalchemy.orm.Query.order_by()", "sqlalchemy.orm.Query"),
    ("sqlalchemy.orm.Query.outerjoin()", "sqlalchemy.orm.Query"),
    ("sqlalchemy.orm.Query.where()", "sqlalchemy.orm.Query"),
    ("sqlalchemy.orm.Session()", "sqlalchemy.orm.Session"),
    ("sqlalchemy.orm.Session.query()", "sqlalchemy.orm.Query"),
    (
        "sqlalchemy.orm.sessionmaker()",
        "sqlalchemy.orm.sessionmaker",
    ),
    (
        "sqlalchemy.orm.sessionmaker.__call__()",
        "sqlalchemy.orm.Session",
    ),
    (
        "sqlalchemy.orm.sessionmaker.begin()",
        "sqlalchemy.orm.Session",
    ),
    ("sqlite3.Connection.cursor()", "sqlite3.Cursor"),
    ("sqlite3.Connection.execute()", "sqlite3.Cursor"),
    ("sqlite3.connect()", "sqlite3.Connection"),
    ("ssl.SSLContext()", "ssl.SSLContext"),
    ("ssl.create_default_context()", "ssl.SSLContext"),
    (
        "starlette.applications.Starlette()",
        "starlette.applications.Starlette",
    ),
    (
        "starlette.applications.Starlette.state",
        "starlette.datastructures.State",
    ),
    (
        "starlette.requests.Request.app",
        "starlette.applications.Starlette",
    ),
    (
        "starlette.requests.Request.state",
        "starlette.datastructures.State",
    ),
    ("starlette.routing.Router()", "starlette.routing.Router"),
    (
        "starlette.websockets.WebSocket.app",
        "starlette.applications.Starlette",
    ),
    (
        "starlette.websockets.WebSocket.state",
        "starlette.datastructures.State",
    ),
    (
        "storage3.SyncStorageClient.from_()",
        "storage3.SyncBucketProxy",
    ),
    ("subprocess.Popen()", "subprocess.Popen"),
    ("supabase.Client.auth", "supabase_auth.SyncGoTrueClient"),
    ("supabase.Client.from_()", "postgrest.SyncRequestBuilder"),
    ("supabase.Client.functions", "supafunc.SyncFunctionsClient"),
    ("supabase.Client.postgrest", "postgrest.SyncPostgrestClient"),
    (
        "supabase.Client.rpc()",
        "postgrest.SyncRPCFilterRequestBuilder",
    ),
    ("supabase.Client.schema()", "postgrest.SyncPostgrestClient"),
    ("supabase.Client.storage", "storage3.SyncStorageClient"),
    ("supabase.Client.table()", "postgrest.SyncRequestBuilder"),
    ("supabase.create_client()", "supabase.Client"),
    (
        "supabase_auth.SyncGoTrueClient.admin",
        "supabase_auth.SyncGoTrueAdminAPI",
    ),
    ("threading.BoundedSemaphore()", "threading.Semaphore"),
    ("threading.Condition()", "threading.Condition"),
    ("threading.Event()", "threading.Event"),
    ("threading.Lock()", "threading.Lock"),
    ("threading.RLock()", "threading.Lock"),
    ("threading.Semaphore()", "threading.Semaphore"),
    ("threading.Thread()", "threading.Thread"),
    (
        "transformers.AutoModel.from_pretrained()",
        "transformers.PreTrainedModel",
    ),
    (
        "transformers.AutoModelForCausalLM.from_pretrained()",
        "transformers.PreTrainedModel",
    ),
    (
        "transformers.AutoModelForSeq2SeqLM.from_pretrained()",
        "transformers.PreTrainedModel",
    ),
    (
        "transformers.AutoModelForSequenceClassification.from_pretrained()",
        "transformers.PreTrainedModel",
    ),
    ("transformers.pipeline()", "transformers.Pipeline"),
    ("twilio.rest.Client()", "twilio.rest.Client"),
    (
        "twilio.rest.Client.calls",
        "twilio.rest.api.v2010.account.call.CallList",
    ),
    (
        "twilio.rest.Client.messages",
        "twilio.rest.api.v2010.account.message.MessageList",
    ),
    (
        "urllib.request.build_opener()",
        "urllib.request.OpenerDirector",
    ),
    ("urllib3.PoolManager()", "urllib3.PoolManager"),
    (
        "weaviate.WeaviateClient.collections",
        "weaviate.collections.Collections",
    ),
    (
        "weaviate.collections.Collection.aggregate",
        "weaviate.collections.aggregate.Aggregate",
    ),
    (
        "weaviate.collections.Collection.data",
        "weaviate.collections.data.Data",
    ),
    (
        "weaviate.collections.Collection.query",
        "weaviate.collections.query.Query",
    ),
    (
        "weaviate.collections.Collections.get()",
        "weaviate.collections.Collection",
    ),
    ("weaviate.connect_to_custom()", "weaviate.WeaviateClient"),
    ("weaviate.connect_to_local()", "weaviate.WeaviateClient"),
    (
        "weaviate.connect_to_weaviate_cloud()",
        "weaviate.WeaviateClient",
    ),
    ("whisper.load_model()", "whisper.model.Whisper"),
    ("xmlrpc.client.ServerProxy()", "xmlrpc.client.ServerProxy"),
];

/// Other spellings of the same names: re-exports and historical aliases. A name is
/// rewritten by its longest matching prefix (whole dotted segments). Sorted.
pub static ALIASES: &[(&str, &str)] = &[
    ("MySQLdb.Connect", "MySQLdb.connect"),
    ("MySQLdb.Connection", "MySQLdb.connections.Connection"),
    ("aiohttp.web_app.Application", "aiohttp.web.Application"),
    (
        "aiohttp.web_routedef.RouteTableDef",
        "aiohttp.web.RouteTableDef",
    ),
    ("asyncio.BaseEventLoop", "asyncio.AbstractEventLoop"),
    (
        "asyncio.base_events.BaseEventLoop",
        "asyncio.AbstractEventLoop",
    ),
    (
        "asyncio.events.AbstractEventLoop",
        "asyncio.AbstractEventLoop",
    ),
    ("asyncio.events.get_event_loop", "asyncio.get_event_loop"),
    ("asyncio.runners.run", "asyncio.run"),
    (
        "azure.storage.blob._blob_client.BlobClient",
        "azure.storage.blob.BlobClient",
    ),
    (
        "azure.storage.blob._blob_service_client.BlobServiceClient",
        "azure.storage.blob.BlobServiceClient",
    ),
    (
        "azure.storage.blob._container_client.ContainerClient",
        "azure.storage.blob.ContainerClient",
    ),
    ("boto3.Session", "boto3.session.Session"),
    ("celery.app.base.Celery", "celery.Celery"),
    ("chromadb.ClientAPI", "chromadb.api.ClientAPI"),
    (
        "chromadb.api.models.Collection.Collection",
        "chromadb.Collection",
    ),
    ("cohere.ClientV2", "cohere.Client"),
    (
        "concurrent.futures._base.Future",
        "concurrent.futures.Future",
    ),
    (
        "concurrent.futures.thread.ThreadPoolExecutor",
        "concurrent.futures.ThreadPoolExecutor",
    ),
    (
        "django.contrib.auth.base_user.AbstractBaseUser",
        "django.db.models.Model",
    ),
    (
        "django.contrib.auth.models.AbstractBaseUser",
        "django.db.models.Model",
    ),
    (
        "django.contrib.auth.models.AbstractUser",
        "django.db.models.Model",
    ),
    ("django.contrib.auth.models.User", "django.db.models.Model"),
    ("django.db.models.base.Model", "django.db.models.Model"),
    (
        "django.db.models.manager.Manager",
        "django.db.models.Manager",
    ),
    (
        "django.db.models.query.QuerySet",
        "django.db.models.QuerySet",
    ),
    ("docker.client.DockerClient", "docker.DockerClient"),
    ("docker.client.from_env", "docker.from_env"),
    ("fastapi.Request", "starlette.requests.Request"),
    ("fastapi.WebSocket", "starlette.websockets.WebSocket"),
    ("fastapi.applications.FastAPI", "fastapi.FastAPI"),
    ("fastapi.requests.Request", "starlette.requests.Request"),
    ("fastapi.routing.APIRouter", "fastapi.APIRouter"),
    (
        "fastapi.websockets.WebSocket",
        "starlette.websockets.WebSocket",
    ),
    ("flask.app.Flask", "flask.Flask"),
    ("flask.blueprints.Blueprint", "flask.Blueprint"),
    ("ftplib.FTP_TLS", "ftplib.FTP"),
    ("google.cloud.firestore_v1", "google.cloud.firestore"),
    ("gotrue", "supabase_auth"),
    ("http.client.HTTPSConnection", "http.client.HTTPConnection"),
    ("httplib", "http.client"),
    ("httpx._client.AsyncClient", "httpx.AsyncClient"),
    ("httpx._client.Client", "httpx.Client"),
    ("jwt.jwks_client.PyJWKClient", "jwt.PyJWKClient"),
    (
        "langchain.prompts.ChatPromptTemplate",
        "langchain_core.prompts.ChatPromptTemplate",
    ),
    (
        "langchain.prompts.PromptTemplate",
        "langchain_core.prompts.PromptTemplate",
    ),
    (
        "langchain.vectorstores.Chroma",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain.vectorstores.FAISS",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_anthropic.ChatAnthropic",
        "langchain_core.language_models.BaseChatModel",
    ),
    (
        "langchain_chroma.Chroma",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_community.chat_models.ChatOllama",
        "langchain_core.language_models.BaseChatModel",
    ),
    (
        "langchain_community.chat_models.ChatOpenAI",
        "langchain_core.language_models.BaseChatModel",
    ),
    (
        "langchain_community.vectorstores.Chroma",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_community.vectorstores.ElasticsearchStore",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_community.vectorstores.FAISS",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_community.vectorstores.Milvus",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_community.vectorstores.PGVector",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_community.vectorstores.Pinecone",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_community.vectorstores.Qdrant",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_community.vectorstores.Weaviate",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_core.language_models.chat_models.BaseChatModel",
        "langchain_core.language_models.BaseChatModel",
    ),
    (
        "langchain_core.prompts.chat.ChatPromptTemplate",
        "langchain_core.prompts.ChatPromptTemplate",
    ),
    (
        "langchain_core.prompts.prompt.PromptTemplate",
        "langchain_core.prompts.PromptTemplate",
    ),
    (
        "langchain_core.runnables.base.RunnableSequence",
        "langchain_core.runnables.RunnableSequence",
    ),
    (
        "langchain_core.vectorstores.VectorStoreRetriever",
        "langchain_core.retrievers.BaseRetriever",
    ),
    (
        "langchain_core.vectorstores.base.VectorStore",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_google_genai.ChatGoogleGenerativeAI",
        "langchain_core.language_models.BaseChatModel",
    ),
    (
        "langchain_google_genai.GoogleGenerativeAIEmbeddings",
        "langchain_core.embeddings.Embeddings",
    ),
    (
        "langchain_groq.ChatGroq",
        "langchain_core.language_models.BaseChatModel",
    ),
    (
        "langchain_milvus.Milvus",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_mistralai.ChatMistralAI",
        "langchain_core.language_models.BaseChatModel",
    ),
    (
        "langchain_ollama.ChatOllama",
        "langchain_core.language_models.BaseChatModel",
    ),
    (
        "langchain_ollama.OllamaEmbeddings",
        "langchain_core.embeddings.Embeddings",
    ),
    (
        "langchain_openai.AzureChatOpenAI",
        "langchain_core.language_models.BaseChatModel",
    ),
    (
        "langchain_openai.AzureOpenAIEmbeddings",
        "langchain_core.embeddings.Embeddings",
    ),
    (
        "langchain_openai.ChatOpenAI",
        "langchain_core.language_models.BaseChatModel",
    ),
    (
        "langchain_openai.OpenAIEmbeddings",
        "langchain_core.embeddings.Embeddings",
    ),
    (
        "langchain_pinecone.PineconeVectorStore",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_postgres.PGVector",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_qdrant.QdrantVectorStore",
        "langchain_core.vectorstores.VectorStore",
    ),
    (
        "langchain_weaviate.WeaviateVectorStore",
        "langchain_core.vectorstores.VectorStore",
    ),
    ("pandas.core.frame.DataFrame", "pandas.DataFrame"),
    ("pandas.core.series.Series", "pandas.Series"),
    ("pathlib.PosixPath", "pathlib.Path"),
    ("pathlib.WindowsPath", "pathlib.Path"),
    ("pinecone.data.index.Index", "pinecone.Index"),
    ("psycopg.connection.Connection", "psycopg.Connection"),
    (
        "psycopg2._psycopg.connection",
        "psycopg2.extensions.connection",
    ),
    ("pymongo.mongo_client.MongoClient", "pymongo.MongoClient"),
    ("pymysql.Connect", "pymysql.connect"),
    ("pymysql.Connection", "pymysql.connections.Connection"),
    (
        "qdrant_client.qdrant_client.QdrantClient",
        "qdrant_client.QdrantClient",
    ),
    ("redis.StrictRedis", "redis.Redis"),
    ("redis.client.Redis", "redis.Redis"),
    ("redis.client.StrictRedis", "redis.Redis"),
    ("requests.api", "requests"),
    ("requests.sessions.Session", "requests.Session"),
    ("requests.sessions.session", "requests.session"),
    ("sanic.app.Sanic", "sanic.Sanic"),
    ("sanic.blueprints.Blueprint", "sanic.Blueprint"),
    ("slack_sdk.web.WebClient", "slack_sdk.WebClient"),
    ("slack_sdk.web.client.WebClient", "slack_sdk.WebClient"),
    (
        "sqlalchemy.engine.base.Connection",
        "sqlalchemy.engine.Connection",
    ),
    ("sqlalchemy.engine.base.Engine", "sqlalchemy.engine.Engine"),
    (
        "sqlalchemy.engine.create_engine",
        "sqlalchemy.create_engine",
    ),
    ("sqlalchemy.orm.query.Query", "sqlalchemy.orm.Query"),
    ("sqlalchemy.orm.session.Session", "sqlalchemy.orm.Session"),
    (
        "sqlalchemy.orm.session.sessionmaker",
        "sqlalchemy.orm.sessionmaker",
    ),
    ("sqlmodel.Session", "sqlalchemy.orm.Session"),
    ("sqlmodel.create_engine", "sqlalchemy.create_engine"),
    ("sqlmodel.orm.session.Session", "sqlalchemy.orm.Session"),
    ("supabase.SyncClient", "supabase.Client"),
    ("supabase._sync.client.SyncClient", "supabase.Client"),
    (
        "supabase._sync.client.create_client",
        "supabase.create_client",
    ),
    ("supabase.client.Client", "supabase.Client"),
    ("supabase.client.create_client", "supabase.create_client"),
    ("threading._RLock", "threading.Lock"),
    ("urllib2.urlopen", "urllib.request.urlopen"),
    ("urllib3.poolmanager.PoolManager", "urllib3.PoolManager"),
    ("weaviate.client.WeaviateClient", "weaviate.WeaviateClient"),
];

/// Blocking calls with an async twin on the same object, by method name: the fix awaits
/// the twin (`Model.objects.get(...)` → `await Model.objects.aget(...)`,
/// `llm.invoke(x)` → `await llm.ainvoke(x)`). Sorted.
pub static ASYNC_TWINS: &[(&str, &str)] = &[
    ("django.db.models.Manager.aggregate", "aaggregate"),
    ("django.db.models.Manager.bulk_create", "abulk_create"),
    ("django.db.models.Manager.bulk_update", "abulk_update"),
    ("django.db.models.Manager.contains", "acontains"),
    ("django.db.models.Manager.count", "acount"),
    ("django.db.models.Manager.create", "acreate"),
    ("django.db.models.Manager.delete", "adelete"),
    ("django.db.models.Manager.earliest", "aearliest"),
    ("django.db.models.Manager.exists", "aexists"),
    ("django.db.models.Manager.explain", "aexplain"),
    ("django.db.models.Manager.first", "afirst"),
    ("django.db.models.Manager.get", "aget"),
    ("django.db.models.Manager.get_or_create", "aget_or_create"),
    ("django.db.models.Manager.in_bulk", "ain_bulk"),
    ("django.db.models.Manager.last", "alast"),
    ("django.db.models.Manager.latest", "alatest"),
    ("django.db.models.Manager.update", "aupdate"),
    (
        "django.db.models.Manager.update_or_create",
        "aupdate_or_create",
    ),
    ("django.db.models.Model.delete", "adelete"),
    ("django.db.models.Model.refresh_from_db", "arefresh_from_db"),
    ("django.db.models.Model.save", "asave"),
    ("django.db.models.QuerySet.__iter__", "__aiter__"),
    ("django.db.models.QuerySet.aggregate", "aaggregate"),
    ("django.db.models.QuerySet.bulk_create", "abulk_create"),
    ("django.db.models.QuerySet.bulk_update", "abulk_update"),
    ("django.db.models.QuerySet.contains", "acontains"),
    ("django.db.models.QuerySet.count", "acount"),
    ("django.db.models.QuerySet.create", "acreate"),
    ("django.db.models.QuerySet.delete", "adelete"),
    ("django.db.models.QuerySet.earliest", "aearliest"),
    ("django.db.models.QuerySet.exists", "aexists"),
    ("django.db.models.QuerySet.explain", "aexplain"),
    ("django.db.models.QuerySet.first", "afirst"),
    ("django.db.models.QuerySet.get", "aget"),
    ("django.db.models.QuerySet.get_or_create", "aget_or_create"),
    ("django.db.models.QuerySet.in_bulk", "ain_bulk"),
    ("django.db.models.QuerySet.last", "alast"),
    ("django.db.models.QuerySet.latest", "alatest"),
    ("django.db.models.QuerySet.update", "aupdate"),
    (
        "django.db.models.QuerySet.update_or_create",
        "aupdate_or_create",
    ),
    (
        "langchain_core.embeddings.Embeddings.embed_documents",
        "aembed_documents",
    ),
    (
        "langchain_core.embeddings.Embeddings.embed_query",
        "aembed_query",
    ),
    (
        "langchain_core.language_models.BaseChatModel.batch",
        "abatch",
    ),
    (
        "langchain_core.language_models.BaseChatModel.generate",
        "agenerate",
    ),
    (
        "langchain_core.language_models.BaseChatModel.invoke",
        "ainvoke",
    ),
    (
        "langchain_core.language_models.BaseChatModel.predict",
        "apredict",
    ),
    (
        "langchain_core.retrievers.BaseRetriever.get_relevant_documents",
        "aget_relevant_documents",
    ),
    ("langchain_core.retrievers.BaseRetriever.invoke", "ainvoke"),
    ("langchain_core.runnables.RunnableSequence.batch", "abatch"),
    (
        "langchain_core.runnables.RunnableSequence.invoke",
        "ainvoke",
    ),
    (
        "langchain_core.vectorstores.VectorStore.add_documents",
        "aadd_documents",
    ),
    (
        "langchain_core.vectorstores.VectorStore.add_texts",
        "aadd_texts",
    ),
    ("langchain_core.vectorstores.VectorStore.delete", "adelete"),
    (
        "langchain_core.vectorstores.VectorStore.from_documents",
        "afrom_documents",
    ),
    (
        "langchain_core.vectorstores.VectorStore.from_texts",
        "afrom_texts",
    ),
    (
        "langchain_core.vectorstores.VectorStore.max_marginal_relevance_search",
        "amax_marginal_relevance_search",
    ),
    (
        "langchain_core.vectorstores.VectorStore.similarity_search",
        "asimilarity_search",
    ),
    (
        "langchain_core.vectorstores.VectorStore.similarity_search_by_vector",
        "asimilarity_search_by_vector",
    ),
    (
        "langchain_core.vectorstores.VectorStore.similarity_search_with_relevance_scores",
        "asimilarity_search_with_relevance_scores",
    ),
    (
        "langchain_core.vectorstores.VectorStore.similarity_search_with_score",
        "asimilarity_search_with_score",
    ),
    ("litellm.completion", "acompletion"),
    ("litellm.embedding", "aembedding"),
    ("litellm.image_generation", "aimage_generation"),
    ("litellm.moderation", "amoderation"),
    ("litellm.rerank", "arerank"),
    ("litellm.speech", "aspeech"),
    ("litellm.text_completion", "atext_completion"),
    ("litellm.transcription", "atranscription"),
    ("mistralai.chat.Chat.complete", "complete_async"),
    ("mistralai.embeddings.Embeddings.create", "create_async"),
];

/// Calls that run a function they are given on another thread (or process), so the
/// function passed to them uncalled does not run on the event loop. The number is the
/// position of the function argument. Sorted.
pub static OFFLOADING: &[(&str, usize)] = &[
    ("anyio.to_thread.run_sync", 0),
    ("asgiref.sync.SyncToAsync.__call__", 0),
    ("asgiref.sync.sync_to_async", 0),
    ("asyncio.AbstractEventLoop.run_in_executor", 1),
    ("asyncio.to_thread", 0),
    ("concurrent.futures.Executor.map", 0),
    ("concurrent.futures.Executor.submit", 0),
    ("fastapi.BackgroundTasks.add_task", 0),
    ("fastapi.concurrency.run_in_threadpool", 0),
    ("starlette.background.BackgroundTask", 0),
    ("starlette.background.BackgroundTasks.add_task", 0),
    ("starlette.concurrency.run_in_threadpool", 0),
    ("threading.Thread", 0),
    ("trio.to_thread.run_sync", 0),
];

/// Offloading calls that run a sync function in a thread but await a coroutine function
/// on the event loop: Starlette's background tasks. Sorted.
pub static AWAITS_COROUTINES: &[&str] = &[
    "fastapi.BackgroundTasks.add_task",
    "starlette.background.BackgroundTask",
    "starlette.background.BackgroundTasks.add_task",
];

/// What a decorator does to the function it decorates, for following calls into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Decorator {
    /// Calling the decorated name still runs the function's body, every time.
    Keeps,
    /// The body runs on the first call only (or when a time-limited cache expires); other
    /// calls return a cached value.
    RunsOnce,
}

/// What awaiting a coroutine method gives, where it matters: `await Order.objects.aget()`
/// is an `Order`, whose sync `save()` still blocks. Extraction keeps `x = await
/// obj.name(...)` only for the method names listed here: no other awaited result is ever
/// typed, and keeping them all costs a tenth of a run on a large project. Sorted.
pub static AWAITED: &[(&str, &str)] = &[
    (
        "django.db.models.Manager.acreate()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.Manager.aearliest()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.Manager.afirst()",
        "django.db.models.Model",
    ),
    ("django.db.models.Manager.aget()", "django.db.models.Model"),
    ("django.db.models.Manager.alast()", "django.db.models.Model"),
    (
        "django.db.models.Manager.alatest()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.QuerySet.acreate()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.QuerySet.aearliest()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.QuerySet.afirst()",
        "django.db.models.Model",
    ),
    ("django.db.models.QuerySet.aget()", "django.db.models.Model"),
    (
        "django.db.models.QuerySet.alast()",
        "django.db.models.Model",
    ),
    (
        "django.db.models.QuerySet.alatest()",
        "django.db.models.Model",
    ),
];

/// Attributes read on a class itself, not on an instance, and what they are:
/// `Order.objects` is the model's manager, for a project model and for Django's own
/// `User` alike. Sorted.
pub static CLASS_ATTRIBUTES: &[(&str, &str)] =
    &[("django.db.models.Model.objects", "django.db.models.Manager")];

/// Decorators that turn a function into an object of a known type: `@app.task` makes a
/// Celery task, whose `delay()` gives an `AsyncResult` (and its `get()` waits). Sorted.
pub static DECORATED_TYPES: &[(&str, &str)] = &[
    ("celery.Celery.task", CELERY_TASK),
    ("celery.shared_task", CELERY_TASK),
    ("celery.task", CELERY_TASK),
];

/// The type of a function decorated as a Celery task.
pub const CELERY_TASK: &str = "celery.app.task.Task";

/// Decorators from outside the project whose result still runs the decorated body when
/// called. A call into a function with any other external decorator is not followed:
/// the decorator may replace it with something that does not run it on the loop.
/// Sorted.
pub static DECORATORS: &[(&str, Decorator)] = &[
    ("abc.abstractmethod", Decorator::Keeps),
    ("backoff.on_exception", Decorator::Keeps),
    ("backoff.on_predicate", Decorator::Keeps),
    ("builtins.classmethod", Decorator::Keeps),
    ("builtins.property", Decorator::Keeps),
    ("builtins.staticmethod", Decorator::Keeps),
    ("cachetools.cached", Decorator::RunsOnce),
    ("cachetools.func.lfu_cache", Decorator::RunsOnce),
    ("cachetools.func.lru_cache", Decorator::RunsOnce),
    ("cachetools.func.ttl_cache", Decorator::RunsOnce),
    ("contextlib.asynccontextmanager", Decorator::Keeps),
    ("contextlib.contextmanager", Decorator::Keeps),
    ("deprecated.deprecated", Decorator::Keeps),
    ("functools.cache", Decorator::RunsOnce),
    ("functools.cached_property", Decorator::RunsOnce),
    ("functools.lru_cache", Decorator::RunsOnce),
    ("functools.singledispatch", Decorator::Keeps),
    ("functools.wraps", Decorator::Keeps),
    ("langsmith.traceable", Decorator::Keeps),
    ("logfire.instrument", Decorator::Keeps),
    ("retrying.retry", Decorator::Keeps),
    ("sentry_sdk.trace", Decorator::Keeps),
    ("tenacity.retry", Decorator::Keeps),
    ("typing.final", Decorator::Keeps),
    ("typing.no_type_check", Decorator::Keeps),
    ("typing.override", Decorator::Keeps),
    ("typing_extensions.deprecated", Decorator::Keeps),
    ("typing_extensions.final", Decorator::Keeps),
    ("typing_extensions.override", Decorator::Keeps),
    ("warnings.deprecated", Decorator::Keeps),
];

/// Calls that schedule a function they are given to run later *on the event loop*
/// itself; the number is the position of the function argument. Sorted.
pub static LOOP_CALLBACKS: &[(&str, usize)] = &[
    ("asyncio.AbstractEventLoop.call_at", 1),
    ("asyncio.AbstractEventLoop.call_later", 1),
    ("asyncio.AbstractEventLoop.call_soon", 0),
    ("asyncio.AbstractEventLoop.call_soon_threadsafe", 0),
];

/// Hash indexes over the sorted tables that the analysis asks most: it looks names up
/// hundreds of thousands of times on a large project, and a binary search compares
/// strings a dozen times for each (a third of the resolving's instructions, callgrind).
/// The tables stay the source: sorted, readable, one row per API.
struct Index {
    blocking: FxHashMap<&'static str, &'static Row>,
    types: FxHashMap<&'static str, &'static str>,
    awaited: FxHashMap<&'static str, &'static str>,
    aliases: FxHashMap<&'static str, &'static str>,
    /// The first segment of every alias (`redis` for `redis.StrictRedis`).
    alias_packages: FxHashSet<&'static str>,
    /// Every dotted prefix of a `BLOCKING` or `TYPES` name (`redis` and `redis.Redis` for
    /// `redis.Redis.get`): the names the catalogue describes members of.
    owners: FxHashSet<&'static str>,
}

static INDEX: std::sync::LazyLock<Index> = std::sync::LazyLock::new(|| {
    let owners = BLOCKING
        .iter()
        .map(|r| r.call)
        .chain(TYPES.iter().map(|r| r.0))
        .flat_map(|name| name.match_indices('.').map(move |(i, _)| &name[..i]))
        .collect();
    Index {
        blocking: BLOCKING.iter().map(|r| (r.call, r)).collect(),
        types: TYPES.iter().copied().collect(),
        awaited: AWAITED.iter().copied().collect(),
        aliases: ALIASES.iter().copied().collect(),
        alias_packages: ALIASES
            .iter()
            .map(|r| r.0.split('.').next().unwrap_or(r.0))
            .collect(),
        owners,
    }
});

/// Runs `f` on the parts joined, built in a buffer of the thread's: the lookups that
/// need a name with a suffix (`requests.Session()`, `redis.Redis.*`) allocate nothing.
fn joined<R>(parts: &[&str], f: impl FnOnce(&str) -> R) -> R {
    thread_local! {
        static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    KEY.with(|key| match key.try_borrow_mut() {
        Ok(mut key) => {
            key.clear();
            parts.iter().for_each(|p| key.push_str(p));
            f(&key)
        }
        // Asked again from inside `f`: a buffer of its own.
        Err(_) => f(&parts.concat()),
    })
}

/// Runs `f` on `Type.*` (then `suffix`), the row that `Type.member` falls back to; none
/// for a private member.
fn with_wildcard<R>(name: &str, suffix: &str, f: impl FnOnce(&str) -> R) -> Option<R> {
    let (owner, member) = name.rsplit_once('.')?;
    wildcard_of(owner, member, suffix, f)
}

/// [`with_wildcard`] for an owner and member given apart.
fn wildcard_of<R>(owner: &str, member: &str, suffix: &str, f: impl FnOnce(&str) -> R) -> Option<R> {
    (!member.starts_with('_')).then(|| joined(&[owner, ".*", suffix], f))
}

/// A user's own row, from `extend-blocking-calls` in the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub call: String,
    pub rule: Rule,
}

/// The built-in tables plus the user's rows. User rows win over built-in ones.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    user: Vec<UserRow>,
}

/// What the catalogue knows about one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub rule: Rule,
    pub condition: Condition,
}

fn find_sorted<'t, T>(table: &'t [T], key: &str, name: impl Fn(&T) -> &str) -> Option<&'t T> {
    table
        .binary_search_by(|row| name(row).cmp(key))
        .ok()
        .map(|i| &table[i])
}

impl Catalogue {
    pub fn new(mut user: Vec<UserRow>) -> Self {
        user.sort_by(|a, b| a.call.cmp(&b.call));
        user.dedup_by(|a, b| a.call == b.call);
        Catalogue { user }
    }

    /// Rewrites a name to its canonical spelling (`redis.StrictRedis` -> `redis.Redis`).
    pub fn canonical(name: &str) -> std::borrow::Cow<'_, str> {
        // Most names (the project's own, and packages without aliases) share no first
        // segment with any alias: one lookup settles it.
        let first = name.split('.').next().unwrap_or(name);
        if !INDEX.alias_packages.contains(first) {
            return std::borrow::Cow::Borrowed(name);
        }
        let mut end = name.len();
        loop {
            let prefix = &name[..end];
            if let Some(to) = INDEX.aliases.get(prefix) {
                if *to != prefix {
                    return std::borrow::Cow::Owned(format!("{to}{}", &name[end..]));
                }
                return std::borrow::Cow::Borrowed(name);
            }
            match prefix.rfind('.') {
                Some(dot) => end = dot,
                None => return std::borrow::Cow::Borrowed(name),
            }
        }
    }

    /// Looks up a call by its canonical qualified name. `Type.method` falls back to a
    /// `Type.*` row when the method has no row of its own.
    pub fn blocking(&self, call: &str) -> Option<Match> {
        let user = |name: &str| {
            find_sorted(&self.user, name, |r| r.call.as_str()).map(|row| Match {
                rule: row.rule,
                condition: Condition::Always,
            })
        };
        if let Some(m) = user(call) {
            return Some(m);
        }
        if let Some(row) = INDEX.blocking.get(call) {
            return match row.effect {
                Effect::Blocks(rule) => Some(Match {
                    rule,
                    condition: if matches!(rule, Rule::AsyncioRun) {
                        Condition::LoopReentry
                    } else {
                        row.condition
                    },
                }),
                Effect::DoesNotBlock => None,
            };
        }
        with_wildcard(call, "", |wildcard| {
            if let Some(m) = user(wildcard) {
                return Some(m);
            }
            match INDEX.blocking.get(wildcard)?.effect {
                Effect::Blocks(rule) => Some(Match {
                    rule,
                    condition: Condition::Always,
                }),
                Effect::DoesNotBlock => None,
            }
        })
        .flatten()
    }

    /// The type that calling `name` returns, if known. A class is its own constructor.
    /// `Type.method` falls back to a `Type.*()` row: a fluent builder, whose methods
    /// return the builder again (`table("t").select("*").eq("id", 1)`).
    pub fn returns(&self, name: &str) -> Option<&'static str> {
        let found = joined(&[name, "()"], |key| {
            INDEX
                .types
                .get(key)
                .or_else(|| INDEX.awaited.get(key))
                .copied()
        });
        found.or_else(|| with_wildcard(name, "()", |key| INDEX.types.get(key).copied()).flatten())
    }

    /// The type of what calling the class `class` makes, when the catalogue lists it
    /// under another name than the class's own.
    pub fn instance_type(class: &str) -> Option<&'static str> {
        joined(&[class, "()"], |key| INDEX.types.get(key).copied()).filter(|t| *t != class)
    }

    /// The call whose result has this type, as `Executor.map()` for what it returns: how
    /// a message names a type that is private to its library.
    pub fn made_by(type_name: &str) -> Option<&'static str> {
        TYPES.iter().find(|r| r.1 == type_name).map(|r| r.0)
    }

    /// Whether awaiting a call of a method of this name can give a typed result
    /// ([`AWAITED`]).
    pub fn is_awaited_method(name: &str) -> bool {
        AWAITED.iter().any(|r| {
            r.0.strip_suffix("()")
                .and_then(|call| call.rsplit_once('.'))
                .is_some_and(|(_, method)| method == name)
        })
    }

    /// The type of attribute `attr` of an instance of `owner`, if known.
    pub fn attribute(&self, owner: &str, attr: &str) -> Option<&'static str> {
        if let Some(ty) = joined(&[owner, ".", attr], |key| INDEX.types.get(key).copied()) {
            return Some(ty);
        }
        wildcard_of(owner, attr, "", |key| INDEX.types.get(key).copied()).flatten()
    }

    /// The type of attribute `attr` read on the class `owner` itself (`Model.objects`).
    /// `owner` is canonicalized only when some row has that attribute: most reads of
    /// an imported name's attribute are of nothing the catalogue knows.
    pub fn class_attribute(&self, owner: &str, attr: &str) -> Option<&'static str> {
        CLASS_ATTRIBUTES.iter().find_map(|(row, ty)| {
            let (row_owner, row_attr) = row.rsplit_once('.')?;
            (row_attr == attr && row_owner == Catalogue::canonical(owner)).then_some(*ty)
        })
    }

    /// The type a function decorated with `decorator` (a canonical name) becomes.
    pub fn decorated_type(decorator: &str) -> Option<&'static str> {
        find_sorted(DECORATED_TYPES, decorator, |r| r.0).map(|r| r.1)
    }

    /// Builtin functions that block (`open`, `input`, and any `builtins.*` user row):
    /// calls of other builtins can never be reported, so extraction does not keep them.
    pub fn blocking_builtins(&self) -> Vec<&str> {
        fn builtin(call: &str) -> Option<&str> {
            call.strip_prefix("builtins.").filter(|n| !n.contains('.'))
        }
        let rows = BLOCKING
            .iter()
            .filter(|r| matches!(r.effect, Effect::Blocks(_)))
            .filter_map(|r| builtin(r.call));
        let user = self.user.iter().filter_map(|r| builtin(&r.call));
        let mut names: Vec<&str> = rows.chain(user).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Whether the catalogue describes methods or attributes of `name`, which makes it a
    /// class: calling it makes an instance (`mycorp.db.Client()` for a user row
    /// `mycorp.db.Client.*`, `supabase.Client(url, key)` for the rows of its `table()`).
    pub fn is_type(&self, name: &str) -> bool {
        INDEX.owners.contains(name)
            || self.user.iter().any(|r| {
                r.call
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('.'))
            })
    }

    /// What an external decorator does to the function under it; `None` when unknown.
    pub fn decorator(name: &str) -> Option<Decorator> {
        find_sorted(DECORATORS, name, |r| r.0).map(|r| r.1)
    }

    /// The argument position of the function that `call` schedules on the event loop.
    pub fn loop_callback(call: &str) -> Option<usize> {
        find_sorted(LOOP_CALLBACKS, call, |r| r.0).map(|r| r.1)
    }

    /// The argument position of the function that `call` runs off the event loop.
    pub fn offloads(call: &str) -> Option<usize> {
        find_sorted(OFFLOADING, call, |r| r.0).map(|r| r.1)
    }

    /// Whether offloading `call` awaits a coroutine function on the loop instead
    /// ([`AWAITS_COROUTINES`]).
    pub fn awaits_coroutines(call: &str) -> bool {
        AWAITS_COROUTINES.binary_search(&call).is_ok()
    }

    /// The method of the same object that does what blocking `call` does, awaitably.
    pub fn async_twin(call: &str) -> Option<&'static str> {
        find_sorted(ASYNC_TWINS, call, |r| r.0).map(|r| r.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_sorted<T>(table: &[T], name: impl Fn(&T) -> &str, what: &str) {
        for pair in table.windows(2) {
            assert!(
                name(&pair[0]) < name(&pair[1]),
                "{what} is not sorted or has a duplicate: {:?} then {:?}",
                name(&pair[0]),
                name(&pair[1])
            );
        }
    }

    #[test]
    fn tables_are_sorted_without_duplicates() {
        assert_sorted(BLOCKING, |r| r.call, "BLOCKING");
        assert_sorted(TYPES, |r| r.0, "TYPES");
        assert_sorted(CLASS_ATTRIBUTES, |r| r.0, "CLASS_ATTRIBUTES");
        assert_sorted(DECORATED_TYPES, |r| r.0, "DECORATED_TYPES");
        assert_sorted(AWAITED, |r| r.0, "AWAITED");
        assert_sorted(AWAITS_COROUTINES, |r| *r, "AWAITS_COROUTINES");
        assert_sorted(ALIASES, |r| r.0, "ALIASES");
        assert_sorted(OFFLOADING, |r| r.0, "OFFLOADING");
        assert_sorted(ASYNC_TWINS, |r| r.0, "ASYNC_TWINS");
        assert_sorted(DECORATORS, |r| r.0, "DECORATORS");
        assert_sorted(LOOP_CALLBACKS, |r| r.0, "LOOP_CALLBACKS");
    }

    #[test]
    fn every_exception_row_has_a_wildcard_to_except_from() {
        for row in BLOCKING {
            if row.effect == Effect::DoesNotBlock {
                let (owner, _) = row.call.rsplit_once('.').unwrap();
                let wildcard = format!("{owner}.*");
                assert!(
                    BLOCKING.iter().any(|r| r.call == wildcard),
                    "{} excepts from a missing {wildcard}",
                    row.call
                );
            }
        }
    }

    /// The hash index gives the answers a search of the sorted tables gives, for every
    /// name a row mentions, each owner above it, and a member of each.
    #[test]
    fn the_index_answers_as_the_sorted_tables_do() {
        let wildcard = |name: &str| {
            let (owner, member) = name.rsplit_once('.')?;
            (!member.starts_with('_')).then(|| format!("{owner}.*"))
        };
        let mut names: Vec<String> = vec![];
        let rows = BLOCKING.iter().map(|r| r.call);
        let typed = TYPES
            .iter()
            .chain(AWAITED)
            .map(|r| r.0.trim_end_matches("()"));
        for name in rows.chain(typed).chain(ALIASES.iter().map(|r| r.0)) {
            names.extend(name.match_indices('.').map(|(i, _)| name[..i].to_string()));
            names.extend([
                name.into(),
                format!("{name}.member"),
                format!("{name}._own"),
            ]);
        }
        names.sort();
        names.dedup();
        let c = Catalogue::default();
        for name in &names {
            let prefix = format!("{name}.");
            let first = |table: &[(&str, &str)]| {
                let at = table.partition_point(|r| r.0 < prefix.as_str());
                table.get(at).is_some_and(|r| r.0.starts_with(&prefix))
            };
            let at = BLOCKING.partition_point(|r| r.call < prefix.as_str());
            let is_type = BLOCKING
                .get(at)
                .is_some_and(|r| r.call.starts_with(&prefix));
            assert_eq!(c.is_type(name), is_type || first(TYPES), "is_type({name})");

            let call = format!("{name}()");
            let returns = find_sorted(TYPES, &call, |r| r.0)
                .or_else(|| find_sorted(AWAITED, &call, |r| r.0))
                .or_else(|| find_sorted(TYPES, &format!("{}()", wildcard(name)?), |r| r.0))
                .map(|r| r.1);
            assert_eq!(c.returns(name), returns, "returns({name})");

            let attribute = name.rsplit_once('.').map(|(owner, attr)| {
                let found = find_sorted(TYPES, name, |r| r.0)
                    .or_else(|| find_sorted(TYPES, &wildcard(name)?, |r| r.0));
                (owner, attr, found.map(|r| r.1))
            });
            if let Some((owner, attr, ty)) = attribute {
                assert_eq!(c.attribute(owner, attr), ty, "attribute({name})");
            }

            let expected = match find_sorted(BLOCKING, name, |r| r.call) {
                Some(row) => match row.effect {
                    Effect::Blocks(Rule::AsyncioRun) => {
                        Some((Rule::AsyncioRun, Condition::LoopReentry))
                    }
                    Effect::Blocks(rule) => Some((rule, row.condition)),
                    Effect::DoesNotBlock => None,
                },
                None => wildcard(name)
                    .and_then(|w| find_sorted(BLOCKING, &w, |r| r.call))
                    .and_then(|row| match row.effect {
                        Effect::Blocks(rule) => Some((rule, Condition::Always)),
                        Effect::DoesNotBlock => None,
                    }),
            };
            let got = c.blocking(name).map(|m| (m.rule, m.condition));
            assert_eq!(got, expected, "blocking({name})");

            let mut end = name.len();
            let canonical = loop {
                let prefix = &name[..end];
                if let Some((_, to)) = find_sorted(ALIASES, prefix, |r| r.0) {
                    break format!("{to}{}", &name[end..]);
                }
                match prefix.rfind('.') {
                    Some(dot) => end = dot,
                    None => break name.clone(),
                }
            };
            assert_eq!(Catalogue::canonical(name), canonical, "canonical({name})");
        }
    }

    #[test]
    fn lookups() {
        let c = Catalogue::default();
        assert_eq!(
            c.blocking("requests.get").unwrap().rule,
            Rule::BlockingHttpCall
        );
        assert_eq!(c.blocking("requests.foo"), None);
        assert_eq!(
            c.blocking("redis.Redis.hgetall").unwrap().rule,
            Rule::SyncRedisCall
        );
        assert_eq!(c.blocking("redis.Redis.pipeline"), None);
        assert_eq!(c.blocking("redis.Redis._private"), None);
        assert_eq!(
            c.blocking("asyncio.run").unwrap().condition,
            Condition::LoopReentry
        );
        assert_eq!(c.returns("requests.Session"), Some("requests.Session"));
        assert_eq!(c.attribute("pathlib.Path", "parent"), Some("pathlib.Path"));
        assert_eq!(
            c.attribute("pymongo.MongoClient", "analytics"),
            Some("pymongo.database.Database")
        );
        assert_eq!(Catalogue::offloads("asyncio.to_thread"), Some(0));
        assert_eq!(
            Catalogue::decorator("functools.lru_cache"),
            Some(Decorator::RunsOnce)
        );
        assert_eq!(Catalogue::decorator("celery.shared_task"), None);
        assert_eq!(
            Catalogue::loop_callback("asyncio.AbstractEventLoop.call_later"),
            Some(1)
        );
    }

    #[test]
    fn class_attributes_follow_aliases_and_awaited_methods_come_from_their_table() {
        let c = Catalogue::default();
        let manager = Some("django.db.models.Manager");
        assert_eq!(
            c.class_attribute("django.db.models.Model", "objects"),
            manager
        );
        assert_eq!(
            c.class_attribute("django.contrib.auth.models.User", "objects"),
            manager
        );
        assert_eq!(c.class_attribute("requests.Session", "objects"), None);
        assert_eq!(c.class_attribute("django.db.models.Model", "save"), None);
        assert!(Catalogue::is_awaited_method("aget"));
        assert!(!Catalogue::is_awaited_method("get"));
        assert_eq!(
            c.returns("django.db.models.QuerySet.afirst"),
            Some("django.db.models.Model")
        );
    }

    #[test]
    fn blocking_builtins_come_from_both_tables() {
        assert_eq!(Catalogue::default().blocking_builtins(), ["input", "open"]);
        let c = Catalogue::new(vec![UserRow {
            call: "builtins.print".into(),
            rule: Rule::BlockingInput,
        }]);
        assert_eq!(c.blocking_builtins(), ["input", "open", "print"]);
    }

    #[test]
    fn aliases_rewrite_whole_segments_only() {
        assert_eq!(
            Catalogue::canonical("redis.StrictRedis.get"),
            "redis.Redis.get"
        );
        assert_eq!(Catalogue::canonical("requests.api.get"), "requests.get");
        assert_eq!(Catalogue::canonical("requests.apiary"), "requests.apiary");
        assert_eq!(
            Catalogue::canonical("httplib.HTTPConnection"),
            "http.client.HTTPConnection"
        );
        assert_eq!(Catalogue::canonical("unknown.thing"), "unknown.thing");
    }

    #[test]
    fn user_rows_extend_and_override() {
        let c = Catalogue::new(vec![UserRow {
            call: "mycorp.http.fetch".into(),
            rule: Rule::BlockingNetworkCall,
        }]);
        assert_eq!(
            c.blocking("mycorp.http.fetch").unwrap().rule,
            Rule::BlockingNetworkCall
        );
        assert_eq!(c.blocking("mycorp.http.other"), None);
    }
}
