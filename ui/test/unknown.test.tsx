import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { UnknownMigration } from '../src/components/UnknownMigration';
import { editDistance, namePart, suggestIds } from '../src/lib/suggest';

const KNOWN = ['20250101090000_create-users', '20250102090000_add-user-roles', '20250103090000_add-display-names'];

const render = (id: string, known = KNOWN) =>
  renderToStaticMarkup(
    <MemoryRouter>
      <UnknownMigration id={id} knownIds={known} />
    </MemoryRouter>,
  );

describe('UnknownMigration', () => {
  it('says only that the migration is unknown, with a way back', () => {
    const html = render('20250109090000_nosuch');
    expect(html).toContain('Unknown migration');
    expect(html).toContain('20250109090000_nosuch');
    expect(html).not.toMatch(/never run/i);
    expect(html).not.toMatch(/pending/i);
    expect(html).toContain('href="/migrations"');
    expect(html).not.toContain('did-you-mean');
  });
  it('offers the ids it probably meant', () => {
    const html = render('20250102090000_add-user-role');
    expect(html).toContain('Did you mean');
    expect(html).toContain('href="/migrations/20250102090000_add-user-roles"');
    expect(html).not.toContain('create-users');
  });
});

describe('suggestIds', () => {
  it('finds prefixes, parts and near misses, best first', () => {
    expect(suggestIds('20250101', KNOWN)).toEqual(['20250101090000_create-users']);
    expect(suggestIds('display', KNOWN)).toEqual(['20250103090000_add-display-names']);
    expect(suggestIds('20250101090000_create-user', KNOWN)).toEqual(['20250101090000_create-users']);
    expect(suggestIds('20250101090000_craete-users', KNOWN)).toEqual(['20250101090000_create-users']);
  });
  it('offers nothing for an unrelated id, an empty one or the id itself', () => {
    expect(suggestIds('20991231000000_drop-everything', KNOWN)).toEqual([]);
    expect(suggestIds('', KNOWN)).toEqual([]);
    expect(suggestIds(KNOWN[0], KNOWN)).toEqual([]);
  });
  it('measures edits and splits ids', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('Same', 'same')).toBe(0);
    expect(namePart('20250101090000_create-users')).toBe('create-users');
    expect(namePart('plain')).toBe('plain');
  });
});
