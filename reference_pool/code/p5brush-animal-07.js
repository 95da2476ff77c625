// A galloping horse that dissolves into scattered random strokes and blobs, no readable animal.
function ell(cx, cy, rx, ry, rot) {
  const pts = [];
  for (let a = 0; a < 360; a += 12) {
    const x = rx * cos(a), y = ry * sin(a);
    pts.push([cx + x * cos(rot) - y * sin(rot), cy + x * sin(rot) + y * cos(rot)]);
  }
  return pts;
}
function band(pts, w0, w1) {
  const L = [], R = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[max(0, i - 1)], b = pts[min(pts.length - 1, i + 1)];
    let tx = b[0] - a[0], ty = b[1] - a[1];
    const m = sqrt(tx * tx + ty * ty);
    tx /= m; ty /= m;
    const w = lerp(w0, w1, i / (pts.length - 1)) / 2;
    L.push([pts[i][0] - ty * w, pts[i][1] + tx * w]);
    R.push([pts[i][0] + ty * w, pts[i][1] - tx * w]);
  }
  return L.concat(R.reverse());
}
function paint(pts, col, op, under) {
  brush.wash(col, under);
  brush.fill(col, op);
  brush.polygon(pts);
  brush.noWash();
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f5f1e8');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  const cols = ['#8a5a3a', '#3a6a9a', '#c8a040', '#6a8a4a', '#a03a3a'];
  for (let i = 0; i < 14; i++) {
    brush.fill(random(cols), 180);
    brush.polygon(ell(random(-230, 230), random(-230, 230), random(15, 45), random(10, 30), random(360)));
  }
  brush.noFill();
  for (let i = 0; i < 16; i++) {
    brush.set(random(['2B', 'charcoal', 'pen', 'marker']), random(cols), random(1, 2.5));
    const x = random(-240, 240), y = random(-240, 240);
    brush.line(x, y, x + random(-120, 120), y + random(-120, 120));
  }
}
