#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""octopus-atspi.py — reads and drives the Octopus window through AT-SPI for the GUI tests.

  octopus-atspi.py dump                          print the accessible tree
  octopus-atspi.py wait-cell KEY SERVICE STATE   wait until the status cell of KEY on SERVICE
                                                 has the accessible name "STATE on SERVICE"
  octopus-atspi.py wait-gone KEY                 wait until no row shows KEY
  octopus-atspi.py wait-name NAME                wait until some node is named NAME
  octopus-atspi.py wait-no-name NAME             wait until no node is named NAME
  octopus-atspi.py click NAME                    activate the push button named NAME
  octopus-atspi.py settle KEY SERVICE STATE      wait over D-Bus until the window is idle and
                                                 win.sync-status shows KEY in STATE on SERVICE
  octopus-atspi.py settle-gone KEY               wait over D-Bus until idle and KEY is gone
  octopus-atspi.py menu-item LABEL               activate LABEL in the open popover menu
  octopus-atspi.py point NAME [WINDOW]           print "X Y", the centre of the shown node named
                                                 NAME (in WINDOW, a window title), relative to
                                                 its window: where a real pointer click lands
  octopus-atspi.py point-spin NAME [WINDOW]      the same for the spin button NAME, on its text
  octopus-atspi.py text NAME [WINDOW]            print the text of the entry named NAME
  octopus-atspi.py value NAME [WINDOW]           print the value of the spin button named NAME
  octopus-atspi.py checked NAME [WINDOW]         exit 0 when the switch/check box NAME is on
  octopus-atspi.py wait-label PART               wait until a shown label's text holds PART
                                                 (case-insensitive); print that text
  octopus-atspi.py wait-no-label PART            wait until no shown label's text holds PART

AT-SPI reads race row removal in GTK 4.8's bridge (the app can crash when a client reads a
row while it is being removed), so the tests wait for a condition through the app's own
D-Bus state ("settle") while rows change, and read the accessibility tree only once the
window is idle: then nothing is removed under the reader.
Every wait fails (exit 1) after OCTOPUS_ATSPI_TIMEOUT seconds (default 180), printing the rows.
"""
import os
import sys
import time
import warnings

import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, Gio, GLib  # noqa: E402

warnings.simplefilter('ignore', DeprecationWarning)
TIMEOUT = float(os.environ.get("OCTOPUS_ATSPI_TIMEOUT", "180"))  # ASan on 2 cores is slow
APP_NAME = os.environ.get('OCTOPUS_ATSPI_APP', 'octopus')


def walk(node, depth=0):
    if node is None:  # the app has not registered on the accessibility bus yet
        return
    yield node, depth
    for i in range(node.get_child_count()):
        child = node.get_child_at_index(i)
        if child is not None:
            yield from walk(child, depth + 1)


def app():
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        a = desktop.get_child_at_index(i)
        if a is not None and a.get_name() == APP_NAME:
            return a
    return None


def rows():
    """{key: {service: state label}} for every table row currently built."""
    a = app()
    result = {}
    if a is None:
        return result
    for node, _ in walk(a):
        if node.get_role() != Atspi.Role.TABLE_ROW:
            continue
        labels, cells = [], {}
        for sub, _ in walk(node):
            name = sub.get_name() or ''
            if sub.get_role() == Atspi.Role.LABEL and name:
                labels.append(name)
            elif sub.get_role() == Atspi.Role.IMAGE and ' on ' in name:
                state, service = name.split(' on ', 1)
                cells[service] = state
        if labels:
            key = ''.join(labels[:2]) if len(labels) > 1 and labels[0].endswith('/') else labels[0]
            result[key] = cells
    return result


def wait(predicate, what):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            if predicate():
                return 0
        except gi.repository.GLib.Error:
            pass  # a row was recycled while we read it
        time.sleep(0.2)
    print(f'timed out waiting for {what}; rows: {rows()}', file=sys.stderr)
    return 1


BUS_NAME = 'io.github.octopus_rais.Octopus'
WINDOW_PATH = os.environ.get('OCTOPUS_WINDOW_PATH', '/io/github/octopus_rais/Octopus/window/1')


def sync_status():
    """(busy, {key: {service: state}}) from the window's read-only action win.sync-status."""
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    reply = bus.call_sync(BUS_NAME, WINDOW_PATH, 'org.gtk.Actions', 'Describe',
                          GLib.Variant('(s)', ('sync-status',)), GLib.VariantType('((bgav))'),
                          Gio.DBusCallFlags.NONE, 5000, None)
    (_enabled, _sig, state), = reply.unpack()
    return state[0] if state else (True, {})


def settle(predicate, what):
    """Wait until the window is idle and predicate(objects) holds; D-Bus only, no AT-SPI."""
    deadline = time.monotonic() + TIMEOUT
    last = None
    while time.monotonic() < deadline:
        try:
            last = sync_status()
            busy, objects = last
            if not busy and predicate(objects):
                return 0
        except GLib.Error:
            pass  # the window has not exported its actions yet
        time.sleep(0.05)
    print(f'timed out waiting for {what}; sync-status: {last}', file=sys.stderr)
    return 1


def menu_item(label):
    """Activate a popover menu item by its label, through AT-SPI (GTK names it without the _)."""
    plain = label.replace('_', '')

    def find_and_activate():
        for node, _ in walk(app()):
            if node.get_role() == Atspi.Role.MENU_ITEM and (node.get_name() or '') == plain:
                names = [node.get_action_name(i) for i in range(node.get_n_actions())]
                if not names:
                    raise RuntimeError(f'menu item {plain!r} has no AT-SPI action')
                node.do_action(0)
                return True
        return False
    status = wait(find_and_activate, f'menu item {plain!r}')
    if status != 0:
        print('menu items:', [n.get_name() for n, _ in walk(app())
                              if n.get_role() == Atspi.Role.MENU_ITEM], file=sys.stderr)
    return status


def click(name):
    def find_and_click():
        a = app()
        for node, _ in walk(a):
            label = node.get_name() or ''
            # GTK 4.8 names a button with a mnemonic "_Delete Delete": accept both forms.
            # AdwMessageDialog keeps a second, hidden row of buttons after the shown one, and
            # GTK 4.8 reports no "showing" state: the first match in tree order is the shown one.
            if (node.get_role() == Atspi.Role.PUSH_BUTTON
                    and (label == name or label.endswith(' ' + name))):
                names = [node.get_action_name(i) for i in range(node.get_n_actions())]
                node.do_action(names.index('click'))
                return True
        return False
    status = wait(find_and_click, f'button {name!r}')
    if status != 0:
        print('buttons:', [(n.get_role_name(), n.get_name()) for n, _ in walk(app())
                           if n.get_role() in (Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON)],
              file=sys.stderr)
    return status


def window_nodes(title):
    """The nodes of the top-level window titled TITLE (every window when TITLE is None)."""
    a = app()
    if a is None:
        return
    for i in range(a.get_child_count()):
        frame = a.get_child_at_index(i)
        if frame is not None and (title is None or frame.get_name() == title):
            yield from walk(frame)


def shown_extents(node):
    e = node.get_extents(Atspi.CoordType.WINDOW)
    return (e.x, e.y, e.width, e.height) if e.width > 0 and e.height > 0 else None


def point(name, title=None, spin=False):
    """Print the centre of the first node named NAME that has a size on screen (with spin: of
    the spin button named NAME, 12 px in from its left edge, on its text and not its buttons;
    the row around it bears the same name).  GTK 4.8 gives extents relative to the window
    only; the caller adds the window's position (xdotool)."""
    found = []

    def find():
        for node, _ in window_nodes(title):
            if node.get_name() == name and (not spin or
                                            node.get_role() == Atspi.Role.SPIN_BUTTON):
                extents = shown_extents(node)
                if extents is not None:
                    found.append(extents)
                    return True
        return False
    status = wait(find, f'{name!r} on screen')
    if status == 0:
        x, y, w, h = found[0]
        print(x + (12 if spin else w // 2), y + h // 2)
    return status


def text(name, title=None):
    for node, _ in window_nodes(title):
        if node.get_name() == name and node.get_role() in (Atspi.Role.TEXT, Atspi.Role.ENTRY,
                                                            Atspi.Role.PASSWORD_TEXT):
            print(Atspi.Text.get_text(node, 0, Atspi.Text.get_character_count(node)))
            return 0
    print(f'no entry named {name!r}', file=sys.stderr)
    return 1


def value(name, title=None):
    """Print the current value of the spin button (or other range) named NAME."""
    for node, _ in window_nodes(title):
        if node.get_name() == name and node.get_role() == Atspi.Role.SPIN_BUTTON:
            print(Atspi.Value.get_current_value(node))
            return 0
    print(f'no spin button named {name!r}', file=sys.stderr)
    return 1


def checked(name, title=None):
    for node, _ in window_nodes(title):
        if (node.get_role() in (Atspi.Role.CHECK_BOX, Atspi.Role.TOGGLE_BUTTON)
                and (node.get_name() == name or (node.get_name() or '').startswith(name + ' '))):
            return 0 if node.get_state_set().contains(Atspi.StateType.CHECKED) else 1
    print(f'no switch named {name!r}', file=sys.stderr)
    return 2


def wait_label(part):
    found = []

    def find():
        for node, _ in walk(app()):
            label = node.get_name() or ''
            if (node.get_role() == Atspi.Role.LABEL and part.lower() in label.lower()
                    and shown_extents(node) is not None):
                found.append(label)
                return True
        return False
    status = wait(find, f'a label saying {part!r}')
    if status == 0:
        print(found[0])
    return status


def wait_no_label(part):
    def none_left():
        a = app()
        return a is not None and not any(
            node.get_role() == Atspi.Role.LABEL and part.lower() in (node.get_name() or '').lower()
            and shown_extents(node) is not None for node, _ in walk(a))
    return wait(none_left, f'no label saying {part!r}')


def main(argv):
    cmd = argv[1] if len(argv) > 1 else 'dump'
    if cmd == 'dump':
        for node, depth in walk(app()):
            print('  ' * depth + f'{node.get_role_name()} {node.get_name()!r} {node.get_description()!r}')
        return 0
    if cmd == 'rows':
        print(rows())
        return 0
    if cmd == 'wait-cell':
        key, service, state = argv[2:5]
        return wait(lambda: rows().get(key, {}).get(service) == state, f'{key} {state} on {service}')
    if cmd == 'wait-gone':
        key = argv[2]
        return wait(lambda: app() is not None and key not in rows(), f'{key} to disappear')
    if cmd == 'wait-name':
        name = argv[2]
        return wait(lambda: any(n.get_name() == name for n, _ in walk(app())), repr(name))
    if cmd == 'wait-no-name':
        name = argv[2]
        return wait(lambda: app() is not None and all(n.get_name() != name for n, _ in walk(app())),
                    f'no {name!r}')
    if cmd == 'click':
        return click(argv[2])
    if cmd == 'settle':
        key, service, state = argv[2:5]
        return settle(lambda o: o.get(key, {}).get(service) == state, f'{key} {state} on {service}')
    if cmd == 'settle-gone':
        key = argv[2]
        return settle(lambda o: key not in o, f'{key} to disappear')
    if cmd == 'status':
        print(sync_status())
        return 0
    if cmd == 'menu-item':
        return menu_item(argv[2])
    if cmd == 'point':
        return point(argv[2], argv[3] if len(argv) > 3 else None)
    if cmd == 'point-spin':
        return point(*argv[2:4], spin=True)
    if cmd == 'value':
        return value(*argv[2:4])
    if cmd == 'checked':
        return checked(argv[2], argv[3] if len(argv) > 3 else None)
    if cmd == 'wait-label':
        return wait_label(argv[2])
    if cmd == 'wait-no-label':
        return wait_no_label(argv[2])
    if cmd == 'text':
        return text(argv[2], argv[3] if len(argv) > 3 else None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
