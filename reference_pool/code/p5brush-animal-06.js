// A purple octopus with curling tentacles on a lilac sea floor, violet watercolour with ink suckers.
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
  background('#f3eff3');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.5, 0.25);
  brush.fill('#d9cde6', 150);
  brush.rect(-256, -256, 512, 512);
  brush.fill('#b9a6cf', 140);
  brush.rect(-256, 170, 512, 86);
  brush.fillBleed(0.1);
  // tentacles fanning out and curling at the tips
  for (let k = 0; k < 6; k++) {
    const side = k - 2.5;
    const pts = [];
    for (let i = 0; i <= 8; i++) {
      const t = i / 8;
      const x = side * 18 + side * 42 * t + (side < 0 ? -1 : 1) * 28 * sin(t * 200);
      const y = 0 + 185 * t - 40 * t * t * abs(side) / 2.5;
      pts.push([x, y]);
    }
    paint(band(pts, 30, 6), k % 2 ? '#7d4aa6' : '#6b3a94', 220, 150);
  }
  // mantle / head
  paint(ell(0, -70, 85, 105, 0), '#8551b0', 228, 165);
  paint(ell(-25, -110, 30, 40, -10), '#a67ccc', 200, 130);
  // eyes
  paint(ell(-32, -10, 16, 13, 0), '#f1e3b8', 235, 200);
  paint(ell(32, -10, 16, 13, 0), '#f1e3b8', 235, 200);
  brush.wash('#1a1224', 250);
  brush.polygon(ell(-32, -10, 9, 4, 0));
  brush.polygon(ell(32, -10, 9, 4, 0));
  brush.noWash();
  // spots
  brush.noFill();
  brush.set('pen', '#4a2466', 1.3);
  for (let i = 0; i < 10; i++) brush.circle(random(-60, 60), random(-150, -40), random(2, 5));
}
