// Three-dots action menus: a button (aria-haspopup="menu") that opens a role="menu"
// list of buttons. Arrow keys move, Escape closes and returns focus, a click
// outside or Tab closes.
import { h, srOnly } from './dom.js';

let openMenu = null;

function closeOpenMenu(returnFocus) {
  if (openMenu) openMenu.close(returnFocus);
}

document.addEventListener('mousedown', (e) => {
  if (openMenu && !openMenu.wrap.contains(e.target)) closeOpenMenu(false);
});

// name: accessible name ("Actions for database db1"); items: [{label, onSelect, danger}].
export function menuButton(name, items) {
  const trigger = h('button', {
    type: 'button', class: 'btn btn-icon', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
  }, h('span', { 'aria-hidden': 'true' }, '⋯'), srOnly(name));
  const wrap = h('div', { class: 'menu-wrap' }, trigger);
  let menu = null;

  const state = {
    wrap,
    close(returnFocus = true) {
      if (!menu) return;
      menu.remove();
      menu = null;
      trigger.setAttribute('aria-expanded', 'false');
      if (openMenu === state) openMenu = null;
      if (returnFocus) trigger.focus();
    },
  };

  function menuItems() {
    return menu ? [...menu.querySelectorAll('[role="menuitem"]')] : [];
  }

  function open(focusLast = false) {
    closeOpenMenu(false);
    menu = h('div', { class: 'menu', role: 'menu' },
      items.map((item) => h('button', {
        type: 'button', role: 'menuitem', tabindex: '-1', class: ['menu-item', item.danger && 'menu-item-danger'],
        onclick: () => { state.close(true); item.onSelect(); },
      }, item.label)));
    menu.addEventListener('keydown', onMenuKey);
    wrap.appendChild(menu);
    trigger.setAttribute('aria-expanded', 'true');
    openMenu = state;
    const list = menuItems();
    (focusLast ? list[list.length - 1] : list[0]).focus();
  }

  function onMenuKey(e) {
    const list = menuItems();
    const i = list.indexOf(document.activeElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      state.close(true);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      list[(i + 1) % list.length].focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      list[(i - 1 + list.length) % list.length].focus();
    } else if (e.key === 'Home') {
      e.preventDefault();
      list[0].focus();
    } else if (e.key === 'End') {
      e.preventDefault();
      list[list.length - 1].focus();
    } else if (e.key === 'Tab') {
      state.close(false);
    }
  }

  // Enter and Space on a <button> fire click, which toggles the menu.
  trigger.addEventListener('click', () => (menu ? state.close(true) : open()));
  trigger.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && !menu) { e.preventDefault(); open(); }
    if (e.key === 'ArrowUp' && !menu) { e.preventDefault(); open(true); }
    if (e.key === 'Escape' && menu) { e.preventDefault(); e.stopPropagation(); state.close(true); }
  });
  return wrap;
}
