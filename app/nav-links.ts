/**
 * Header navigation. Other areas add ONE line each (e.g. `{ href: '/explorer', label: 'Explorer' }`);
 * the header highlights the entry whose href prefixes the current path.
 */
export const NAV_LINKS: Array<{ href: string; label: string; /** Other path prefixes that belong to it. */ also?: string[] }> = [
  { href: '/zoo', label: 'Zoo', also: ['/models'] },
  { href: '/explorer', label: 'Explorer' },
  { href: '/compare', label: 'Compare' },
  { href: '/jobs', label: 'Jobs' },
  { href: '/upload', label: 'Upload' },
];
