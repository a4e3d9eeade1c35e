/**
 * Where the shipping management number is on the outer box: a drawing of a
 * label, the number under the barcode ringed. Drawn inline, so it costs no
 * request and scales with the text; its words are the caption's, the drawing
 * itself is described by `description`.
 */
export function LabelPicture({ description, caption }: { description: string; caption: string }) {
  const bars = [0, 3, 5, 9, 11, 14, 18, 20, 23, 27, 29, 32, 36, 38, 41, 45, 47, 50, 54, 56, 59, 63, 65, 68]
  return (
    <figure className="label-picture">
      <svg viewBox="0 0 240 150" role="img" aria-label={description} focusable="false">
        <rect x="1" y="1" width="238" height="148" rx="6" fill="#fff" stroke="#4a4a4a" strokeWidth="2" />
        <rect x="14" y="14" width="110" height="8" rx="2" fill="#c8c8c8" />
        <rect x="14" y="28" width="150" height="8" rx="2" fill="#c8c8c8" />
        <rect x="14" y="42" width="90" height="8" rx="2" fill="#c8c8c8" />
        <g fill="#222">
          {bars.map((x) => (
            <rect key={x} x={40 + x * 2.2} y="66" width={x % 3 === 0 ? 3 : 1.6} height="38" />
          ))}
        </g>
        <text x="120" y="124" textAnchor="middle" fontSize="15" fontFamily="monospace" fill="#222">
          1234-5678-9012
        </text>
        <rect x="52" y="109" width="136" height="22" rx="11" fill="none" stroke="#c2185b" strokeWidth="3" />
      </svg>
      <figcaption>{caption}</figcaption>
    </figure>
  )
}
