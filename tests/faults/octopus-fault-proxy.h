/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-fault-proxy.h — a fault-injecting TCP proxy for tests, in-process.
 *
 * It listens on 127.0.0.1 (a free port) and forwards every connection to a real server,
 * HTTP-aware only as far as needed: it reads each request line, headers and Content-Length to
 * count requests and find where bodies end, and passes bodies through untouched.  Faults are
 * switched at run time from the test; "next N requests" faults count requests as they arrive.
 * It runs on the thread-default main context it was created in (the tests iterate it while
 * they wait on the client), so no locking and no threads.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _OctopusFaultProxy OctopusFaultProxy;

/* A proxy to the server of @upstream_url ("http://127.0.0.1:9000"). */
OctopusFaultProxy *octopus_fault_proxy_new            (const char        *upstream_url,
                                                       GError           **error);
void               octopus_fault_proxy_free           (OctopusFaultProxy *self);
/* "http://127.0.0.1:PORT", for the client's endpoint. */
const char        *octopus_fault_proxy_get_endpoint   (OctopusFaultProxy *self);

/* Clears every fault and releases the held requests; connections stay as they are. */
void               octopus_fault_proxy_clear          (OctopusFaultProxy *self);
/* TRUE: close the listening socket (connect() is refused) and drop every open connection;
 * FALSE: listen again on the same port. */
void               octopus_fault_proxy_set_refusing   (OctopusFaultProxy *self,
                                                       gboolean           refusing);
/* The next @n_requests requests whose body is longer than @after_bytes get their connection
 * reset (RST to both sides) once @after_bytes of the body went through. */
void               octopus_fault_proxy_reset_after    (OctopusFaultProxy *self,
                                                       gsize              after_bytes,
                                                       guint              n_requests);
/* Connections, those open now and those to come, up to @n_connections of them (G_MAXUINT:
 * all), are reset (RST to both sides) once @after_bytes went upstream on each in all (request
 * heads and bodies together): a kept-alive connection dies in the middle of a later request,
 * as when a server or middlebox drops a connection it had let idle.  0 bytes: off. */
void               octopus_fault_proxy_reset_connections_after (OctopusFaultProxy *self,
                                                                gsize              after_bytes,
                                                                guint              n_connections);
/* Every request is held @delay_ms before it goes to the server (0: none). */
void               octopus_fault_proxy_set_delay      (OctopusFaultProxy *self,
                                                       guint              delay_ms);
/* TRUE: every request whose head arrives from now on is held, whole, until
 * octopus_fault_proxy_release(): a test can act while requests are provably in flight
 * (octopus_fault_proxy_get_n_held) instead of guessing how long a delay must be.  FALSE: the
 * next ones go through; those held stay held until the release. */
void               octopus_fault_proxy_set_holding    (OctopusFaultProxy *self,
                                                       gboolean           holding);
/* Sends every request held now on to the server (holding stays as set for later ones). */
void               octopus_fault_proxy_release        (OctopusFaultProxy *self);
/* Requests held now, waiting for the release. */
guint              octopus_fault_proxy_get_n_held     (OctopusFaultProxy *self);
/* The next @n_requests get an S3 error reply instead of reaching the server: @status 503
 * answers <Code>SlowDown</Code>, anything else <Code>InternalError</Code>.  G_MAXUINT: all. */
void               octopus_fault_proxy_fail_next      (OctopusFaultProxy *self,
                                                       guint              status,
                                                       guint              n_requests);
/* The next @n_requests GET replies are cut after @after_bytes of body (headers, including
 * Content-Length, as the server sent them), then the connection is closed. */
void               octopus_fault_proxy_truncate_next  (OctopusFaultProxy *self,
                                                       gsize              after_bytes,
                                                       guint              n_requests);
/* The next @n_requests get "200 OK" with a body that is not XML. */
void               octopus_fault_proxy_garbage_next   (OctopusFaultProxy *self,
                                                       guint              n_requests);

/* Requests seen (complete headers) since creation, and faults injected so far. */
guint              octopus_fault_proxy_get_requests   (OctopusFaultProxy *self);
guint              octopus_fault_proxy_get_injected   (OctopusFaultProxy *self);
/* Bytes forwarded from clients to the server since creation (request headers and bodies). */
guint64            octopus_fault_proxy_get_bytes_upstream (OctopusFaultProxy *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusFaultProxy, octopus_fault_proxy_free)

G_END_DECLS
