/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-crypt-tool — the crypt core from the command line, for the interoperability test
 * with rclone (test-crypt-rclone.sh).  Standard input: the passphrase on the first line, the
 * optional second passphrase (rclone's password2, the salt) on the second.
 *
 *   octopus-crypt-tool encrypt-file [--nonce HEX] IN OUT
 *   octopus-crypt-tool decrypt-file [--size N] [--sha256 HEX] IN OUT
 *   octopus-crypt-tool encrypt-name [--names standard|off] PATH
 *   octopus-crypt-tool decrypt-name [--names standard|off] PATH
 *
 * decrypt-file writes OUT only when the whole object decrypted and checked (through OUT.part).
 * Exit status 0, 1 on a crypt error (its message on stderr), 2 on a usage error. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "octopus-crypt.h"

typedef struct {
  char *nonce_hex;
  char *names;
  gint64 size;
  char *sha256;
} Options;

/* Both lines of standard input, in memory that is wiped when freed. */
static OctopusCryptKeys *
read_keys (GError **error)
{
  char *buf, *salt, *end;
  OctopusCryptKeys *keys;
  size_t n;

  octopus_crypt_init (); /* before sodium_malloc */
  buf = sodium_malloc (4096);
  n = fread (buf, 1, 4095, stdin);
  buf[n] = '\0';
  salt = strchr (buf, '\n');
  if (salt != NULL)
    {
      *salt++ = '\0';
      if ((end = strchr (salt, '\n')) != NULL)
        *end = '\0';
    }
  keys = octopus_crypt_keys_derive (buf, salt, error);
  sodium_free (buf);
  return keys;
}

static gboolean
parse_nonce (const char *hex,
             guint8     *nonce)
{
  size_t bin_len = 0;

  return sodium_hex2bin (nonce, OCTOPUS_CRYPT_NONCE_SIZE, hex, strlen (hex), NULL, &bin_len,
                         NULL) == 0 && bin_len == OCTOPUS_CRYPT_NONCE_SIZE;
}

/* IN through CONVERTER to OUT (a temporary name until it all went well). */
static gboolean
convert_file (GConverter  *converter,
              const char  *in_path,
              const char  *out_path,
              GError     **error)
{
  g_autoptr(GFile) in_file = g_file_new_for_commandline_arg (in_path);
  g_autoptr(GFile) out_file = g_file_new_for_commandline_arg (out_path);
  g_autofree char *part_path = g_strconcat (out_path, ".part", NULL);
  g_autoptr(GFile) part = g_file_new_for_commandline_arg (part_path);
  g_autoptr(GFileInputStream) in = g_file_read (in_file, NULL, error);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GInputStream) converted = NULL;

  if (in == NULL)
    return FALSE;
  out = g_file_replace (part, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
  if (out == NULL)
    return FALSE;
  converted = g_converter_input_stream_new (G_INPUT_STREAM (in), converter);
  if (g_output_stream_splice (G_OUTPUT_STREAM (out), converted,
                              G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE
                              | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    {
      g_file_delete (part, NULL, NULL);
      return FALSE;
    }
  return g_file_move (part, out_file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
}

static gboolean
run_file (OctopusCryptKeys  *keys,
          gboolean           encrypt,
          const Options     *opt,
          char             **args,
          GError           **error)
{
  g_autoptr(GObject) converter = NULL;
  guint8 nonce[OCTOPUS_CRYPT_NONCE_SIZE];

  if (encrypt && opt->nonce_hex != NULL)
    {
      if (!parse_nonce (opt->nonce_hex, nonce))
        {
          g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "--nonce wants 48 hex digits");
          return FALSE;
        }
      converter = G_OBJECT (octopus_crypt_encrypter_new_with_nonce (keys, nonce));
    }
  else if (encrypt)
    converter = G_OBJECT (octopus_crypt_encrypter_new (keys));
  else
    {
      converter = G_OBJECT (octopus_crypt_decrypter_new (keys));
      octopus_crypt_decrypter_set_expected (OCTOPUS_CRYPT_DECRYPTER (converter), opt->size,
                                            opt->sha256);
    }
  return convert_file (G_CONVERTER (converter), args[0], args[1], error);
}

static gboolean
run_name (OctopusCryptKeys  *keys,
          gboolean           encrypt,
          const Options     *opt,
          char             **args,
          GError           **error)
{
  OctopusCryptNameMode mode = OCTOPUS_CRYPT_NAMES_STANDARD;
  g_autofree char *name = NULL;

  if (opt->names != NULL && !octopus_crypt_name_mode_from_string (opt->names, &mode))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--names is standard or off");
      return FALSE;
    }
  name = encrypt ? octopus_crypt_encrypt_name (keys, mode, args[0], error)
                 : octopus_crypt_decrypt_name (keys, mode, args[0], error);
  if (name == NULL)
    return FALSE;
  printf ("%s\n", name);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  Options opt = { .size = -1 };
  GOptionEntry entries[] = {
    { "nonce", 0, 0, G_OPTION_ARG_STRING, &opt.nonce_hex, "the nonce (encrypt-file)", "HEX" },
    { "names", 0, 0, G_OPTION_ARG_STRING, &opt.names, "standard or off", "MODE" },
    { "size", 0, 0, G_OPTION_ARG_INT64, &opt.size, "expected plaintext size", "N" },
    { "sha256", 0, 0, G_OPTION_ARG_STRING, &opt.sha256, "expected plaintext SHA-256", "HEX" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("COMMAND ARGS…");
  g_autoptr(GError) error = NULL;
  g_autoptr(OctopusCryptKeys) keys = NULL;
  const char *cmd;
  gboolean file, encrypt, ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 3)
    {
      fprintf (stderr, "usage: octopus-crypt-tool COMMAND ARGS (%s)\n",
               error != NULL ? error->message : "too few arguments");
      return 2;
    }
  cmd = argv[1];
  file = g_str_has_suffix (cmd, "-file");
  encrypt = g_str_has_prefix (cmd, "encrypt-");
  if ((!file && !g_str_has_suffix (cmd, "-name"))
      || (!encrypt && !g_str_has_prefix (cmd, "decrypt-")) || argc != (file ? 4 : 3))
    {
      fprintf (stderr, "usage: octopus-crypt-tool encrypt-file|decrypt-file IN OUT, "
               "encrypt-name|decrypt-name PATH\n");
      return 2;
    }
  keys = read_keys (&error);
  ok = keys != NULL && (file ? run_file (keys, encrypt, &opt, argv + 2, &error)
                             : run_name (keys, encrypt, &opt, argv + 2, &error));
  g_free (opt.nonce_hex);
  g_free (opt.names);
  g_free (opt.sha256);
  if (!ok)
    {
      fprintf (stderr, "octopus-crypt-tool: %s\n", error->message);
      return 1;
    }
  return 0;
}
