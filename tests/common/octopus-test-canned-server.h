/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-test-canned-server.h — an in-process HTTP server with canned replies, for unit tests
 * of anything that speaks S3 (the client, and the engine above it) without a real server.
 *
 * It listens on 127.0.0.1 (a port the kernel picks) and runs on the thread-default main
 * context of the thread that made it: the test's octopus_test_wait*() iterations serve it.
 * Replies go out in order, the last one repeating; every request is recorded.
 *
 *   static const OctopusTestReply replies[] = {
 *     { 503, "<Error><Code>SlowDown</Code></Error>" },
 *     { 200, "", 0, "ETag", "\"e\"" },
 *   };
 *   OctopusTestCannedServer *server = octopus_test_canned_server_new (replies, 2);
 *   … a client on server->endpoint …
 *   g_assert_cmpuint (server->requests, ==, 2);
 *   octopus_test_canned_server_free (server);
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  guint       status;
  const char *body;          /* sent as application/xml; NUL-terminated, or NULL for none */
  gsize       body_len;      /* 0: strlen (body) */
  const char *header;        /* one extra response header, or NULL */
  const char *header_value;
  const char *header2;       /* a second one, or NULL */
  const char *header2_value;
} OctopusTestReply;

/* Read the fields; set only cancel_on_first. */
typedef struct {
  char               *endpoint;        /* "http://127.0.0.1:<port>" */
  guint               requests;        /* requests received so far */
  GPtrArray          *paths;           /* char *: each request's encoded path (with query) */
  GPtrArray          *bodies;          /* GBytes: each request's body */
  SoupMessageHeaders *last_headers;    /* the last request's headers, or NULL */
  GCancellable       *cancel_on_first; /* when set, cancelled 50 ms after the first request */

  /*< private >*/
  SoupServer             *server;
  const OctopusTestReply *replies;
  guint                   n_replies;
} OctopusTestCannedServer;

/* Starts serving @replies (borrowed: they must outlive the server; @n_replies ≥ 1). */
OctopusTestCannedServer *octopus_test_canned_server_new  (const OctopusTestReply *replies,
                                                          guint                   n_replies);
/* Stops listening and frees the server and what it recorded; asserts that no one (a client's
 * connection, say) still holds the SoupServer. */
void                     octopus_test_canned_server_free (OctopusTestCannedServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OctopusTestCannedServer, octopus_test_canned_server_free)

G_END_DECLS
