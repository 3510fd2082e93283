/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-test-canned-server.c — see octopus-test-canned-server.h. */
#include "config.h"

#include <string.h>

#include "octopus-test-canned-server.h"

static void
handler (SoupServer        *soup_server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  OctopusTestCannedServer *server = user_data;
  const OctopusTestReply *reply = &server->replies[MIN (server->requests, server->n_replies - 1)];
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) received = soup_message_body_flatten (body);

  server->requests++;
  g_ptr_array_add (server->paths,
                   g_strconcat (g_uri_get_path (uri),
                                g_uri_get_query (uri) ? "?" : "",
                                g_uri_get_query (uri) ? g_uri_get_query (uri) : "",
                                NULL));
  g_ptr_array_add (server->bodies, g_bytes_ref (received));
  g_clear_pointer (&server->last_headers, soup_message_headers_unref);
  server->last_headers =
    soup_message_headers_ref (soup_server_message_get_request_headers (msg));

  if (server->cancel_on_first != NULL && server->requests == 1)
    g_timeout_add_once (50, (GSourceOnceFunc) g_cancellable_cancel, server->cancel_on_first);

  soup_server_message_set_status (msg, reply->status, NULL);
  if (reply->header != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  reply->header, reply->header_value);
  if (reply->header2 != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  reply->header2, reply->header2_value);
  if (reply->body != NULL)
    soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_STATIC, reply->body,
                                      reply->body_len ? reply->body_len : strlen (reply->body));
}

OctopusTestCannedServer *
octopus_test_canned_server_new (const OctopusTestReply *replies,
                                guint                   n_replies)
{
  OctopusTestCannedServer *server = g_new0 (OctopusTestCannedServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_assert_cmpuint (n_replies, >, 0);
  server->replies = replies;
  server->n_replies = n_replies;
  server->paths = g_ptr_array_new_with_free_func (g_free);
  server->bodies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  server->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server->server, NULL, handler, server, NULL);
  soup_server_listen_local (server->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server->server);
  g_assert_nonnull (uris);
  server->endpoint = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}

void
octopus_test_canned_server_free (OctopusTestCannedServer *server)
{
  soup_server_disconnect (server->server);
  g_assert_finalize_object (server->server);
  g_ptr_array_unref (server->paths);
  g_ptr_array_unref (server->bodies);
  g_clear_pointer (&server->last_headers, soup_message_headers_unref);
  g_free (server->endpoint);
  g_free (server);
}
