import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown } from '../src/components/Markdown';

const render = (text: string) => renderToStaticMarkup(<Markdown text={text} />);

describe('Markdown', () => {
  it('renders ordinary markdown, including GFM tables', () => {
    const html = render('# Title\n\nSome **bold** and `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    expect(html).toContain('<h1>Title</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<table>');
    expect(html).toContain('<td>2</td>');
  });

  it('drops script tags and raw HTML entirely', () => {
    const html = render('Hello <script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n<div onclick="x()">block</div>');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/onerror/i);
    expect(html).not.toMatch(/onclick/i);
    expect(html).not.toMatch(/<div onclick/i);
    // The tags are skipped, not escaped into visible text; inline text between them is inert.
    expect(html).not.toContain('&lt;script');
    expect(html).not.toContain('&lt;img');
    expect(html).toContain('Hello');
  });

  it('neutralises javascript: links and opens others safely', () => {
    const html = render('[bad](javascript:alert(1)) [good](https://example.com/docs)');
    expect(html).not.toMatch(/javascript:/i);
    expect(html).toContain('href="https://example.com/docs"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
  });

  it('never loads images (they become links)', () => {
    const html = render('![diagram](https://tracker.example/pixel.png)');
    expect(html).not.toContain('<img');
    expect(html).toContain('[image: diagram]');
  });
});
