/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-acl-summary.c — a permissions change's result in words, per service.
 *
 * The user must see which services took the change, which were skipped because they have no
 * ACLs, and which failed and why; "Permissions changed" alone would hide a service that kept
 * the old permissions.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "octopus-acl-summary.h"

typedef struct {
  const char               *service;
  guint                     ok;
  guint                     skipped;
  guint                     failed;
  const OctopusArrayResult *first_failure;
} Tally;

static gboolean
is_failure (const OctopusArrayResult *r)
{
  return r->status == OCTOPUS_RESULT_FAILED || r->status == OCTOPUS_RESULT_UNREACHABLE;
}

/* One Tally per service, in the order the services first appear in @results. */
static GArray *
tally_results (GPtrArray *results)
{
  GArray *tallies = g_array_new (FALSE, TRUE, sizeof (Tally));

  for (guint i = 0; i < results->len; i++)
    {
      const OctopusArrayResult *r = g_ptr_array_index (results, i);
      Tally *t = NULL;

      if (r->service == NULL)
        continue;
      for (guint j = 0; j < tallies->len && t == NULL; j++)
        if (g_str_equal (g_array_index (tallies, Tally, j).service, r->service))
          t = &g_array_index (tallies, Tally, j);
      if (t == NULL)
        {
          g_array_set_size (tallies, tallies->len + 1);
          t = &g_array_index (tallies, Tally, tallies->len - 1);
          t->service = r->service;
        }
      if (r->status == OCTOPUS_RESULT_OK)
        t->ok++;
      else if (r->status == OCTOPUS_RESULT_UNSUPPORTED)
        t->skipped++;
      else if (is_failure (r) && t->failed++ == 0)
        t->first_failure = r;
    }
  return tallies;
}

static void
append_name (GString    *list,
             const char *name)
{
  if (list->len > 0)
    g_string_append (list, ", ");
  g_string_append (list, name);
}

static char *
failure_clause (const Tally *t,
                guint        n_keys)
{
  const char *reason = t->first_failure->message ? t->first_failure->message : _("failed");
  size_t len = strlen (t->service);

  /* The engine's messages begin with the service's name, which the clause already says. */
  if (strncmp (reason, t->service, len) == 0 && g_str_has_prefix (reason + len, ": "))
    reason += len + 2;

  if (n_keys <= 1)
    /* Translators: a clause of the permissions result: "failed on SERVICE: REASON". */
    return g_strdup_printf (_("failed on %s: %s"), t->service, reason);
  /* Translators: a clause of the permissions result: "failed on SERVICE for N of M objects
   * (“FIRST KEY”): REASON". */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "failed on %s for %u of %u object (“%s”): %s",
                                       "failed on %s for %u of %u objects (“%s”): %s", n_keys),
                          t->service, t->failed, n_keys,
                          t->first_failure->key ? t->first_failure->key : "", reason);
}

/* @text with its first character in upper (title) case. */
static char *
capitalize (const char *text)
{
  gunichar first = g_utf8_get_char (text);
  char buf[8] = { 0, };

  g_unichar_to_utf8 (g_unichar_totitle (first), buf);
  return g_strconcat (buf, g_utf8_next_char (text), NULL);
}

char *
octopus_acl_summary_new (GPtrArray *results,
                         guint      n_keys)
{
  g_autoptr(GArray) tallies = tally_results (results);
  g_autoptr(GString) changed = g_string_new (NULL);
  g_autoptr(GString) skipped = g_string_new (NULL);
  g_autoptr(GPtrArray) clauses = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *sentence = NULL;

  for (guint i = 0; i < tallies->len; i++)
    {
      const Tally *t = &g_array_index (tallies, Tally, i);

      if (t->failed > 0)
        continue;
      if (t->ok > 0)
        append_name (changed, t->service);
      else if (t->skipped > 0)
        append_name (skipped, t->service);
    }
  if (changed->len > 0)
    /* Translators: a clause of the permissions result; %s lists services ("swift, px").
     * The first clause is capitalized by the program. */
    g_ptr_array_add (clauses, g_strdup_printf (_("changed on %s"), changed->str));
  if (skipped->len > 0)
    /* Translators: a clause of the permissions result; %s lists services without ACLs. */
    g_ptr_array_add (clauses, g_strdup_printf (_("skipped (no ACLs): %s"), skipped->str));
  for (guint i = 0; i < tallies->len; i++)
    if (g_array_index (tallies, Tally, i).failed > 0)
      g_ptr_array_add (clauses, failure_clause (&g_array_index (tallies, Tally, i), n_keys));

  if (clauses->len == 0)
    return g_strdup (_("No service to change"));
  g_ptr_array_add (clauses, NULL);
  /* Translators: the separator between the clauses of the permissions result. */
  sentence = g_strjoinv (_("; "), (char **) clauses->pdata);
  return capitalize (sentence);
}
