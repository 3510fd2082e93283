#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""notification-recorder.py LOG — stands in for the desktop's notification daemon in GUI tests.

Owns org.freedesktop.Notifications on the session bus (GLib's fallback notification backend
calls it) and appends "SUMMARY|BODY" to LOG for every Notify call, so a test can check which
desktop notifications the app really sent over D-Bus.  Prints "RECORDER READY" once it owns
the name.
"""
import sys

import gi
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

XML = '''<node><interface name="org.freedesktop.Notifications">
  <method name="Notify"><arg type="s" direction="in"/><arg type="u" direction="in"/>
    <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="s" direction="in"/>
    <arg type="as" direction="in"/><arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
    <arg type="u" direction="out"/></method>
  <method name="CloseNotification"><arg type="u" direction="in"/></method>
  <method name="GetCapabilities"><arg type="as" direction="out"/></method>
  <method name="GetServerInformation"><arg type="s" direction="out"/><arg type="s" direction="out"/>
    <arg type="s" direction="out"/><arg type="s" direction="out"/></method>
</interface></node>'''
log_path = sys.argv[1]
counter = [0]


def on_call(conn, sender, path, iface, method, params, invocation):
    if method == 'Notify':
        _app, _replaces, _icon, summary, body = params.unpack()[:5]
        with open(log_path, 'a') as log:
            log.write(f'{summary}|{body}\n')
        counter[0] += 1
        invocation.return_value(GLib.Variant('(u)', (counter[0],)))
    elif method == 'GetCapabilities':
        invocation.return_value(GLib.Variant('(as)', (['body'],)))
    elif method == 'GetServerInformation':
        invocation.return_value(GLib.Variant('(ssss)', ('recorder', 'octopus-tests', '1', '1.2')))
    else:
        invocation.return_value(None)


def on_bus(conn, name):
    info = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]
    conn.register_object('/org/freedesktop/Notifications', info, on_call, None, None)


def on_name(conn, name):
    print('RECORDER READY', flush=True)


Gio.bus_own_name(Gio.BusType.SESSION, 'org.freedesktop.Notifications',
                 Gio.BusNameOwnerFlags.NONE, on_bus, on_name, lambda *a: sys.exit(1))
GLib.MainLoop().run()
