/**
 * Header navigation. Other areas add ONE line each (e.g. `{ href: '/explorer', label: 'Explorer' }`);
 * the header highlights the entry whose href prefixes the current path.
 */
export const NAV_LINKS: Array<{ href: string; label: string }> = [
  { href: '/zoo', label: 'Zoo' },
];
