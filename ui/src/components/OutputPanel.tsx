import { useEffect, useRef } from 'react';
import { CopyButton } from './CopyButton';

export const TRUNCATION_BANNER = '[output exceeded the storage cap; oldest lines were dropped]';

export function OutputPanel({
  output,
  truncated,
  title = 'Output',
  live = false,
}: {
  output: string | undefined;
  truncated?: boolean;
  title?: string;
  /** Live tail: keep the view scrolled to the newest line while the user has not scrolled up. */
  live?: boolean;
}) {
  const ref = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const element = ref.current;
    if (live && element && stick.current) element.scrollTop = element.scrollHeight;
  }, [output, live]);
  const text = output ?? '';
  return (
    <div className="output">
      <div className="output-head">
        <span className="section-label">{title}</span>
        {text && <CopyButton text={truncated ? `${TRUNCATION_BANNER}\n\n${text}` : text} />}
      </div>
      {truncated && (
        <div className="banner banner-warn output-banner" role="note">
          <code>{TRUNCATION_BANNER}</code>
          <span>The most recent output is shown below.</span>
        </div>
      )}
      {text ? (
        <pre
          ref={ref}
          className="output-body"
          tabIndex={0}
          onScroll={(event) => {
            const el = event.currentTarget;
            stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          }}
        >
          {text}
        </pre>
      ) : (
        <div className="output-empty muted">{live ? 'No output yet.' : 'No output captured.'}</div>
      )}
    </div>
  );
}
