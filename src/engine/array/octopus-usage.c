/* SPDX-License-Identifier: GPL-3.0-or-later */
/* octopus-usage.c — totals per service and per top-level folder, from the object table. */
#include "config.h"

#include <string.h>

#include "octopus-usage.h"

static OctopusUsageGroup *
group_new (const char *folder,
           guint       n_services)
{
  OctopusUsageGroup *group = g_new0 (OctopusUsageGroup, 1);

  group->folder = g_strdup (folder);
  group->services = g_new0 (OctopusUsageCounts, n_services);
  return group;
}

static void
group_free (OctopusUsageGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->folder);
  g_free (group->services);
  g_free (group);
}

void
octopus_usage_free (OctopusUsage *usage)
{
  if (usage == NULL)
    return;
  g_strfreev (usage->service_names);
  group_free (usage->total);
  g_clear_pointer (&usage->folders, g_ptr_array_unref);
  g_free (usage);
}

/* "photos/" for "photos/2024/a.jpg", "" for "a.jpg" (owned). */
static char *
top_folder (const char *key)
{
  const char *slash = strchr (key, '/');

  return slash != NULL ? g_strndup (key, (gsize) (slash - key) + 1) : g_strdup ("");
}

/* The one service holding the only copy in sync, or -1 (none, or more than one). */
static int
lone_good_copy (OctopusObject *row)
{
  int lone = -1;

  for (guint i = 0; i < octopus_object_get_n_services (row); i++)
    if (octopus_object_get_service_state (row, i) == OCTOPUS_OBJECT_STATE_IN_SYNC)
      {
        if (lone >= 0)
          return -1;
        lone = (int) i;
      }
  return lone;
}

static void
count_row (OctopusUsageGroup *group,
           OctopusObject     *row)
{
  int lone = lone_good_copy (row);

  group->keys++;
  if (lone >= 0)
    {
      group->at_risk++;
      group->services[lone].at_risk++;
    }
  for (guint i = 0; i < octopus_object_get_n_services (row); i++)
    {
      OctopusUsageCounts *c = &group->services[i];
      OctopusObjectState state = octopus_object_get_service_state (row, i);

      if (state == OCTOPUS_OBJECT_STATE_UNREACHABLE)
        {
          /* What it held at its last listing may be gone: neither held nor missing. */
          c->unreachable++;
          continue;
        }
      if (state == OCTOPUS_OBJECT_STATE_MISSING)
        c->missing++;
      if (state == OCTOPUS_OBJECT_STATE_DIFFERS)
        c->differing++;
      if (octopus_object_get_service_present (row, i))
        {
          c->objects++;
          c->bytes += (guint64) MAX (octopus_object_get_service_size (row, i), 0);
        }
    }
}

static int
compare_groups (gconstpointer a,
                gconstpointer b)
{
  const OctopusUsageGroup *ga = *(OctopusUsageGroup * const *) a;
  const OctopusUsageGroup *gb = *(OctopusUsageGroup * const *) b;

  return strcmp (ga->folder, gb->folder);
}

OctopusUsage *
octopus_usage_compute (OctopusObjectTable *table)
{
  GListModel *model = G_LIST_MODEL (table);
  OctopusUsage *usage = g_new0 (OctopusUsage, 1);
  g_autoptr(GHashTable) by_folder = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = octopus_object_table_get_n_services (table);

  usage->n_services = n;
  usage->service_names = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    usage->service_names[i] = g_strdup (octopus_object_table_get_service_name (table, i));
  usage->total = group_new ("", n);
  usage->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);

  for (guint r = 0; r < g_list_model_get_n_items (model); r++)
    {
      g_autoptr(OctopusObject) row = g_list_model_get_item (model, r);
      g_autofree char *folder = top_folder (octopus_object_get_key (row));
      OctopusUsageGroup *group = g_hash_table_lookup (by_folder, folder);

      if (group == NULL)
        {
          group = group_new (folder, n);
          g_ptr_array_add (usage->folders, group);
          g_hash_table_insert (by_folder, group->folder, group);
        }
      count_row (group, row);
      count_row (usage->total, row);
    }
  g_ptr_array_sort (usage->folders, compare_groups);
  return usage;
}
