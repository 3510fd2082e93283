/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-fault-proxy.c — see octopus-fault-proxy.h.
 *
 * Each client connection gets its own upstream connection and two pumps.  The request pump
 * parses request heads (to count requests and find body ends) and applies the request-side
 * faults; the response pump is a plain copy except when a truncation is armed, where it reads
 * the reply head and cuts the body.  libsoup never pipelines, so once a request head has been
 * read, the next bytes from the server start that request's reply.
 */
#include "octopus-fault-proxy.h"

#include <string.h>
#include <sys/socket.h>

#define BUF_SIZE (64 * 1024)
#define MAX_HEAD (64 * 1024)

typedef enum {
  REQ_HEAD,      /* reading a request head */
  REQ_BODY,      /* forwarding body bytes */
  REQ_DISCARD,   /* swallowing the body of a request we answer ourselves */
  REQ_RAW,       /* lost track (chunked request, giant head): copy bytes as they come */
} ReqState;

typedef enum {
  ACT_CONTINUE,
  ACT_RESET,     /* flush what is pending, then reset both sides */
  ACT_REPLY,     /* send our own reply to the client, then close */
} Action;

typedef struct {
  int                refs;
  OctopusFaultProxy *proxy;       /* NULL once the proxy is gone */
  GSocketConnection *down;        /* to the client under test */
  GSocketConnection *up;          /* to the real server */
  GCancellable      *cancel;
  gboolean           closed;
  GSource           *delay_source;
  gpointer           delayed;     /* the Write held by delay_source */
  gboolean           hold;        /* the pending bytes wait for octopus_fault_proxy_release */
  gpointer           held;        /* the Write they are in, until then */

  ReqState           req_state;
  GByteArray        *head;
  guint64            body_left;
  gint64             reset_left;  /* -1: no reset armed */
  guint64            up_total;    /* bytes sent upstream on this connection */
  GString           *reply;       /* our own reply, once the discarded body is consumed */
  guint              delay_ms;    /* hold the pending bytes this long before sending */
  GByteArray        *to_up;
  guint8             down_buf[BUF_SIZE];

  gboolean           resp_head_expected;
  GByteArray        *resp_head;
  gint64             truncate_left; /* -1: none armed */
  guint8             up_buf[BUF_SIZE];
} Conn;

struct _OctopusFaultProxy {
  GSocketService *service;
  GSocketClient  *client;
  char           *upstream_host;
  guint16         upstream_port;
  guint16         port;
  char           *endpoint;
  GList          *conns;
  gboolean        refusing;
  GSocket        *held;     /* while refusing: bound, not listening (keeps the port ours) */

  gsize           reset_after;
  guint           reset_n;
  gsize           conn_reset_after;
  guint           conn_reset_n;
  guint           delay_ms;
  gboolean        holding;
  guint           fail_status;
  guint           fail_n;
  gsize           truncate_after;
  guint           truncate_n;
  guint           garbage_n;

  guint           requests;
  guint           injected;
  guint64         bytes_upstream;
};

static Conn *
conn_ref (Conn *c)
{
  c->refs++;
  return c;
}

static void
conn_unref (Conn *c)
{
  if (--c->refs > 0)
    return;
  g_clear_object (&c->down);
  g_clear_object (&c->up);
  g_clear_object (&c->cancel);
  g_byte_array_unref (c->head);
  g_byte_array_unref (c->resp_head);
  g_byte_array_unref (c->to_up);
  if (c->reply)
    g_string_free (c->reply, TRUE);
  g_free (c);
}

/* SO_LINGER 0 makes close() send RST: the peer sees "connection reset", not a clean EOF. */
static void
set_abortive (GSocketConnection *connection)
{
  struct linger lg = { 1, 0 };

  if (connection == NULL)
    return;
  (void) setsockopt (g_socket_get_fd (g_socket_connection_get_socket (connection)),
                     SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

typedef struct {
  Conn  *conn;
  GBytes *bytes;
  int    then;
} Write;

static void
write_free (Write *w)
{
  g_bytes_unref (w->bytes);
  conn_unref (w->conn);
  g_free (w);
}

static void
conn_close (Conn *c, gboolean reset)
{
  if (c->closed)
    return;
  c->closed = TRUE;
  g_cancellable_cancel (c->cancel);
  if (c->delay_source)
    {
      g_source_destroy (c->delay_source);
      g_clear_pointer (&c->delay_source, g_source_unref);
      write_free (g_steal_pointer (&c->delayed));
    }
  if (c->held)
    write_free (g_steal_pointer (&c->held));
  if (reset)
    {
      set_abortive (c->down);
      set_abortive (c->up);
    }
  if (c->down)
    g_io_stream_close (G_IO_STREAM (c->down), NULL, NULL);
  if (c->up)
    g_io_stream_close (G_IO_STREAM (c->up), NULL, NULL);
  if (c->proxy)
    {
      c->proxy->conns = g_list_remove (c->proxy->conns, c);
      c->proxy = NULL;
      conn_unref (c); /* the proxy's reference */
    }
}

/* ---- replies of our own --------------------------------------------------- */

static GString *
make_error_reply (guint status, gboolean is_head)
{
  const char *code = status == 503 ? "SlowDown" : "InternalError";
  const char *reason = status == 503 ? "Slow Down" : "Internal Server Error";
  g_autofree char *body = g_strdup_printf (
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Error><Code>%s</Code><Message>Injected by the fault proxy.</Message>"
      "<RequestId>fault-proxy</RequestId></Error>\n", code);
  GString *reply = g_string_new (NULL);

  g_string_append_printf (reply,
                          "HTTP/1.1 %u %s\r\nContent-Type: application/xml\r\n"
                          "Content-Length: %zu\r\nx-amz-request-id: fault-proxy\r\n"
                          "Connection: close\r\n\r\n",
                          status, reason, strlen (body));
  if (!is_head)
    g_string_append (reply, body);
  return reply;
}

static GString *
make_garbage_reply (gboolean is_head)
{
  static const char body[] =
      "<ListBucketResult><Contents><Key>oops</Key><Size>12</Si\x01\xff not xml <<<& ]]>";
  GString *reply = g_string_new (NULL);

  g_string_append_printf (reply,
                          "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
                          "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                          sizeof body - 1);
  if (!is_head)
    g_string_append_len (reply, body, sizeof body - 1);
  return reply;
}

/* ---- the request pump ----------------------------------------------------- */

static const guint8 *
find_head_end (const guint8 *data, gsize len)
{
  for (gsize i = 0; i + 3 < len; i++)
    if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n')
      return data + i + 4;
  return NULL;
}

/* Value of header @name in a request/response head, or NULL. */
static char *
head_header (const char *head, const char *name)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);
  gsize name_len = strlen (name);

  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, name_len) == 0 && lines[i][name_len] == ':')
      return g_strstrip (g_strdup (lines[i] + name_len + 1));
  return NULL;
}

/* A complete request head arrived: count it and decide its fate. */
static void
request_head_done (Conn *c)
{
  OctopusFaultProxy *p = c->proxy;
  g_autofree char *head = g_strndup ((const char *) c->head->data, c->head->len);
  g_autofree char *length = head_header (head, "Content-Length");
  g_autofree char *chunked = head_header (head, "Transfer-Encoding");
  gboolean is_get = g_str_has_prefix (head, "GET ");
  gboolean is_head = g_str_has_prefix (head, "HEAD ");

  c->body_left = length ? g_ascii_strtoull (length, NULL, 10) : 0;
  c->req_state = REQ_BODY;
  p->requests++;

  if (p->fail_n > 0 || p->garbage_n > 0)
    {
      if (p->fail_n > 0)
        {
          if (p->fail_n != G_MAXUINT)
            p->fail_n--;
          c->reply = make_error_reply (p->fail_status, is_head);
        }
      else
        {
          p->garbage_n--;
          c->reply = make_garbage_reply (is_head);
        }
      p->injected++;
      c->req_state = REQ_DISCARD;
      g_byte_array_set_size (c->head, 0);
      return;
    }

  g_byte_array_append (c->to_up, c->head->data, c->head->len);
  g_byte_array_set_size (c->head, 0);
  if (chunked != NULL)
    c->req_state = REQ_RAW;
  if (p->reset_n > 0 && c->body_left > p->reset_after)
    {
      p->reset_n--;
      p->injected++;
      c->reset_left = p->reset_after;
    }
  if (p->truncate_n > 0 && is_get)
    {
      p->truncate_n--;
      p->injected++;
      c->resp_head_expected = TRUE;
      c->truncate_left = p->truncate_after;
    }
  if (p->delay_ms > 0)
    c->delay_ms = p->delay_ms;
  if (p->holding)
    c->hold = TRUE;
}

static Action
process_request (Conn *c, const guint8 *data, gsize len)
{
  while (len > 0)
    {
      switch (c->req_state)
        {
        case REQ_RAW:
          g_byte_array_append (c->to_up, data, len);
          return ACT_CONTINUE;

        case REQ_HEAD:
          {
            gsize old = c->head->len;
            const guint8 *end;

            g_byte_array_append (c->head, data, len);
            end = find_head_end (c->head->data, c->head->len);
            if (end == NULL)
              {
                if (c->head->len > MAX_HEAD)
                  {
                    g_byte_array_append (c->to_up, c->head->data, c->head->len);
                    g_byte_array_set_size (c->head, 0);
                    c->req_state = REQ_RAW;
                  }
                return ACT_CONTINUE;
              }
            {
              gsize used = (gsize) (end - c->head->data) - old;
              g_byte_array_set_size (c->head, end - c->head->data);
              data += used;
              len -= used;
            }
            request_head_done (c);
            break;
          }

        case REQ_BODY:
        case REQ_DISCARD:
          {
            gsize k = MIN ((guint64) len, c->body_left);

            if (c->reset_left >= 0)
              k = MIN (k, (gsize) c->reset_left);
            if (c->req_state == REQ_BODY)
              g_byte_array_append (c->to_up, data, k);
            data += k;
            len -= k;
            c->body_left -= k;
            if (c->reset_left >= 0 && (c->reset_left -= k) == 0)
              return ACT_RESET;
            break;
          }
        }

      if ((c->req_state == REQ_BODY || c->req_state == REQ_DISCARD) && c->body_left == 0)
        {
          if (c->req_state == REQ_DISCARD)
            return ACT_REPLY;
          c->req_state = REQ_HEAD;
        }
    }
  /* A request without a body we answer ourselves is complete with its head. */
  if (c->req_state == REQ_DISCARD && c->body_left == 0)
    return ACT_REPLY;
  return ACT_CONTINUE;
}

static void down_read (Conn *c);

static void
up_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Write *w = user_data;
  Conn *c = w->conn;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);

  if (!ok || c->closed)
    conn_close (c, FALSE);
  else if (w->then == ACT_RESET)
    conn_close (c, TRUE);
  else
    down_read (c);
  g_bytes_unref (w->bytes);
  conn_unref (c);
  g_free (w);
}

static void
send_up (Write *w)
{
  gsize size;
  const void *data = g_bytes_get_data (w->bytes, &size);

  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (w->conn->up)),
                                   data, size, G_PRIORITY_DEFAULT, w->conn->cancel,
                                   up_written_cb, w);
}

static gboolean
delay_done_cb (gpointer user_data)
{
  Write *w = user_data;

  g_clear_pointer (&w->conn->delay_source, g_source_unref);
  w->conn->delayed = NULL;
  send_up (w);
  return G_SOURCE_REMOVE;
}

static void
reply_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Conn *c = user_data;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
  conn_close (c, FALSE);
  conn_unref (c);
}

/* Is this connection's byte budget (the proxy's conn_reset_after) still to be enforced? */
static gboolean
connection_has_budget (Conn *c)
{
  OctopusFaultProxy *p = c->proxy;

  return p->conn_reset_after > 0 && p->conn_reset_n > 0;
}

/* How many of @n bytes just read may go upstream before the budget runs out. */
static gsize
connection_budget (Conn *c, gsize n)
{
  guint64 left;

  if (!connection_has_budget (c))
    return n;
  left = c->proxy->conn_reset_after - MIN (c->up_total, c->proxy->conn_reset_after);
  return (gsize) MIN ((guint64) n, left);
}

/* Counts the bytes of @n that went upstream; TRUE when the budget is spent and the
 * connection must be reset now. */
static gboolean
connection_spent (Conn *c, gsize n)
{
  OctopusFaultProxy *p = c->proxy;
  gboolean budgeted = connection_has_budget (c);

  p->bytes_upstream += connection_budget (c, n);
  c->up_total += connection_budget (c, n);
  if (!budgeted || c->up_total < p->conn_reset_after)
    return FALSE;
  if (p->conn_reset_n != G_MAXUINT)
    p->conn_reset_n--;
  p->injected++;
  g_debug ("fault proxy: connection %p reset after %" G_GUINT64_FORMAT " bytes", c, c->up_total);
  return TRUE;
}

static void
down_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Conn *c = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  Action action;
  Write *w;

  if (n <= 0 || c->closed || c->proxy == NULL)
    {
      conn_close (c, FALSE);
      conn_unref (c);
      return;
    }

  action = process_request (c, c->down_buf, connection_budget (c, n));
  if (action == ACT_CONTINUE && connection_spent (c, n))
    action = ACT_RESET;
  if (action == ACT_REPLY)
    {
      gsize len = c->reply->len;
      g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (c->down)),
                                       c->reply->str, len, G_PRIORITY_DEFAULT, c->cancel,
                                       reply_written_cb, c);  /* takes over our reference */
      return;
    }

  w = g_new0 (Write, 1);
  w->conn = c;  /* takes over our reference */
  w->then = action;
  w->bytes = g_byte_array_free_to_bytes (g_steal_pointer (&c->to_up));
  c->to_up = g_byte_array_new ();
  if (c->hold)
    {
      /* Nothing more is read from the client until the release: the request stays whole. */
      c->hold = FALSE;
      c->held = w;
    }
  else if (c->delay_ms > 0)
    {
      c->delay_source = g_timeout_source_new (c->delay_ms);
      c->delay_ms = 0;
      c->delayed = w;
      g_source_set_callback (c->delay_source, delay_done_cb, w, NULL);
      g_source_attach (c->delay_source, g_main_context_get_thread_default ());
    }
  else
    send_up (w);
}

static void
down_read (Conn *c)
{
  if (c->closed)
    return;
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (c->down)),
                             c->down_buf, sizeof c->down_buf, G_PRIORITY_DEFAULT, c->cancel,
                             down_read_cb, conn_ref (c));
}

/* ---- the response pump ---------------------------------------------------- */

static void up_read (Conn *c);

static void
down_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Write *w = user_data;
  Conn *c = w->conn;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);

  if (!ok || c->closed)
    conn_close (c, FALSE);
  else if (w->then == ACT_RESET)
    conn_close (c, FALSE); /* truncation: a clean close the client must notice by itself */
  else
    up_read (c);
  g_bytes_unref (w->bytes);
  conn_unref (c);
  g_free (w);
}

static void
up_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Conn *c = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const guint8 *data = c->up_buf;
  gsize len = n > 0 ? (gsize) n : 0;
  Action action = ACT_CONTINUE;
  Write *w;

  if (n <= 0 || c->closed)
    {
      conn_close (c, FALSE);
      conn_unref (c);
      return;
    }

  if (c->resp_head_expected)
    {
      const guint8 *end;
      gsize old = c->resp_head->len;

      g_byte_array_append (c->resp_head, data, len);
      end = find_head_end (c->resp_head->data, c->resp_head->len);
      if (end == NULL)
        {
          up_read (c);
          conn_unref (c);
          return;
        }
      {
        gsize used = (gsize) (end - c->resp_head->data) - old;
        g_byte_array_append (out, c->resp_head->data, end - c->resp_head->data);
        g_byte_array_set_size (c->resp_head, 0);
        data += used;
        len -= used;
        c->resp_head_expected = FALSE;
      }
    }
  if (c->truncate_left >= 0)
    {
      gsize k = MIN (len, (gsize) c->truncate_left);
      g_byte_array_append (out, data, k);
      c->truncate_left -= k;
      if (c->truncate_left == 0)
        action = ACT_RESET;
    }
  else
    g_byte_array_append (out, data, len);

  w = g_new0 (Write, 1);
  w->conn = c;  /* takes over our reference */
  w->then = action;
  w->bytes = g_byte_array_free_to_bytes (g_steal_pointer (&out));
  {
    gsize size;
    const void *bytes = g_bytes_get_data (w->bytes, &size);
    g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (c->down)),
                                     bytes, size, G_PRIORITY_DEFAULT, c->cancel,
                                     down_written_cb, w);
  }
}

static void
up_read (Conn *c)
{
  if (c->closed)
    return;
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (c->up)),
                             c->up_buf, sizeof c->up_buf, G_PRIORITY_DEFAULT, c->cancel,
                             up_read_cb, conn_ref (c));
}

/* ---- connections -------------------------------------------------------------- */

static void
upstream_connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Conn *c = user_data;
  GSocketConnection *up = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source),
                                                                  result, NULL);

  if (up == NULL || c->closed)
    {
      g_clear_object (&up);
      conn_close (c, TRUE);
      conn_unref (c);
      return;
    }
  c->up = up;
  down_read (c);
  up_read (c);
  conn_unref (c);
}

static gboolean
incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source,
             gpointer user_data)
{
  OctopusFaultProxy *p = user_data;
  Conn *c = g_new0 (Conn, 1);

  c->refs = 1; /* the proxy's */
  c->proxy = p;
  c->down = g_object_ref (connection);
  c->cancel = g_cancellable_new ();
  c->head = g_byte_array_new ();
  c->resp_head = g_byte_array_new ();
  c->to_up = g_byte_array_new ();
  c->reset_left = -1;
  c->truncate_left = -1;
  p->conns = g_list_prepend (p->conns, c);
  g_socket_client_connect_to_host_async (p->client, p->upstream_host, p->upstream_port,
                                         c->cancel, upstream_connected_cb, conn_ref (c));
  return TRUE;
}

static gboolean
listen_on (OctopusFaultProxy *self, guint16 port, GError **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocketAddress) effective = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                      &effective, error))
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_socket_service_start (self->service);
  return TRUE;
}

/* The port is in the ephemeral range: left unbound while refusing, any outgoing connection
 * on the machine could take it as its local port, and listening again would fail.  A socket
 * that is bound but not listening keeps it: the kernel still refuses connections to it. */
static GSocket *
hold_port (guint16 port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);

  if (socket == NULL || !g_socket_bind (socket, address, TRUE, &error))
    {
      g_warning ("fault proxy: cannot hold port %u: %s", port, error->message);
      return NULL;
    }
  return g_steal_pointer (&socket);
}

static gboolean
resume_listening (OctopusFaultProxy *self, GError **error)
{
  g_autoptr(GSocket) held = g_steal_pointer (&self->held);

  if (held == NULL)
    return listen_on (self, self->port, error);
  if (!g_socket_listen (held, error) ||
      !g_socket_listener_add_socket (G_SOCKET_LISTENER (self->service), held, NULL, error))
    return FALSE;
  g_socket_service_start (self->service);
  return TRUE;
}

OctopusFaultProxy *
octopus_fault_proxy_new (const char *upstream_url, GError **error)
{
  g_autoptr(GUri) uri = g_uri_parse (upstream_url, G_URI_FLAGS_NONE, error);
  OctopusFaultProxy *self;

  if (uri == NULL)
    return NULL;
  self = g_new0 (OctopusFaultProxy, 1);
  self->upstream_host = g_strdup (g_uri_get_host (uri));
  self->upstream_port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 80;
  self->client = g_socket_client_new ();
  self->service = g_socket_service_new ();
  g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
  if (!listen_on (self, 0, error))
    {
      octopus_fault_proxy_free (self);
      return NULL;
    }
  self->endpoint = g_strdup_printf ("http://127.0.0.1:%u", self->port);
  return self;
}

static void
drop_connections (OctopusFaultProxy *self)
{
  while (self->conns != NULL)
    conn_close (self->conns->data, TRUE);
}

void
octopus_fault_proxy_free (OctopusFaultProxy *self)
{
  if (self == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->service, self);
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  drop_connections (self);
  g_clear_object (&self->held);
  g_object_unref (self->service);
  g_object_unref (self->client);
  g_free (self->upstream_host);
  g_free (self->endpoint);
  g_free (self);
}

const char *
octopus_fault_proxy_get_endpoint (OctopusFaultProxy *self)
{
  return self->endpoint;
}

void
octopus_fault_proxy_clear (OctopusFaultProxy *self)
{
  self->reset_n = self->fail_n = self->truncate_n = self->garbage_n = 0;
  self->conn_reset_after = 0;
  self->conn_reset_n = 0;
  self->delay_ms = 0;
  self->holding = FALSE;
  octopus_fault_proxy_release (self);
  octopus_fault_proxy_set_refusing (self, FALSE);
}

void
octopus_fault_proxy_set_refusing (OctopusFaultProxy *self, gboolean refusing)
{
  if (refusing == self->refusing)
    return;
  self->refusing = refusing;
  if (refusing)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      drop_connections (self);
      self->held = hold_port (self->port);
      /* A closed GSocketListener cannot listen again: the next listen uses a new one. */
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_object_unref (self->service);
      self->service = g_socket_service_new ();
      g_signal_connect (self->service, "incoming", G_CALLBACK (incoming_cb), self);
    }
  else
    {
      g_autoptr(GError) error = NULL;

      if (!resume_listening (self, &error))
        g_warning ("fault proxy: cannot listen on port %u again: %s", self->port,
                   error->message);
    }
}

void
octopus_fault_proxy_reset_after (OctopusFaultProxy *self, gsize after_bytes, guint n_requests)
{
  self->reset_after = after_bytes;
  self->reset_n = n_requests;
}

void
octopus_fault_proxy_reset_connections_after (OctopusFaultProxy *self, gsize after_bytes,
                                             guint n_connections)
{
  self->conn_reset_after = after_bytes;
  self->conn_reset_n = n_connections;
}

void
octopus_fault_proxy_set_delay (OctopusFaultProxy *self, guint delay_ms)
{
  self->delay_ms = delay_ms;
}

void
octopus_fault_proxy_set_holding (OctopusFaultProxy *self, gboolean holding)
{
  self->holding = holding;
}

void
octopus_fault_proxy_release (OctopusFaultProxy *self)
{
  /* send_up() completes in a later main-loop iteration: the list does not change here. */
  for (GList *l = self->conns; l != NULL; l = l->next)
    {
      Conn *c = l->data;

      if (c->held != NULL)
        send_up (g_steal_pointer (&c->held));
    }
}

guint
octopus_fault_proxy_get_n_held (OctopusFaultProxy *self)
{
  guint n = 0;

  for (GList *l = self->conns; l != NULL; l = l->next)
    n += ((Conn *) l->data)->held != NULL;
  return n;
}

void
octopus_fault_proxy_fail_next (OctopusFaultProxy *self, guint status, guint n_requests)
{
  self->fail_status = status;
  self->fail_n = n_requests;
}

void
octopus_fault_proxy_truncate_next (OctopusFaultProxy *self, gsize after_bytes, guint n_requests)
{
  self->truncate_after = after_bytes;
  self->truncate_n = n_requests;
}

void
octopus_fault_proxy_garbage_next (OctopusFaultProxy *self, guint n_requests)
{
  self->garbage_n = n_requests;
}

guint
octopus_fault_proxy_get_requests (OctopusFaultProxy *self)
{
  return self->requests;
}

guint64
octopus_fault_proxy_get_bytes_upstream (OctopusFaultProxy *self)
{
  return self->bytes_upstream;
}

guint
octopus_fault_proxy_get_injected (OctopusFaultProxy *self)
{
  return self->injected;
}
