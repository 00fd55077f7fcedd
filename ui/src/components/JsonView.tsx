import { prettyJson, tokenizeJson } from '../lib/json';
import { CopyButton } from './CopyButton';

export function JsonView({ value, caption }: { value: unknown; caption?: string }) {
  const text = prettyJson(value);
  return (
    <div className="json">
      <div className="output-head">
        <span className="section-label">
          Result{caption && <span className="muted"> · {caption}</span>}
        </span>
        <CopyButton text={text} />
      </div>
      <pre className="json-body">
        {tokenizeJson(text).map((token, index) =>
          token.kind === 'punct' ? token.text : (
            <span key={index} className={`j-${token.kind}`}>
              {token.text}
            </span>
          ),
        )}
      </pre>
    </div>
  );
}
