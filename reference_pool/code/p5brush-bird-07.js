// A violet songbird singing on a branch among lilac blossoms, purple and mauve watercolour.
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
  background('#f4f0f2');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.5, 0.25);
  brush.fill('#e3d6ea', 150);
  brush.rect(-256, -256, 512, 512);
  // branch
  brush.set('charcoal', '#4a3a44', 2.2);
  brush.spline([[-256, 60], [-80, 80], [60, 60], [256, 110]], 0.5);
  brush.noStroke();
  // lilac clusters
  brush.fillBleed(0.25);
  const clusters = [[-180, 30], [-150, 70], [170, 80], [200, 40], [140, 120]];
  for (const c of clusters) {
    for (let k = 0; k < 3; k++) {
      brush.fill(k % 2 ? '#b58ad0' : '#9a6fc0', 190);
      brush.circle(c[0] + random(-18, 18), c[1] + random(-18, 18), random(14, 22));
    }
  }
  brush.fillBleed(0.1);
  // bird facing right, head raised
  paint([[-50, 40], [-140, 10], [-135, 28], [-45, 60]], '#4b2f6b', 220, 160);
  paint(ell(0, 20, 62, 40, -15), '#7a4fa3', 225, 160);
  paint(ell(-10, 15, 45, 22, -15), '#4b2f6b', 215, 150);
  paint(ell(20, 38, 36, 20, -10), '#c9a6de', 220, 150);
  paint(ell(50, -30, 30, 27, 0), '#7a4fa3', 225, 165);
  // open beak singing
  paint([[74, -40], [104, -58], [78, -30]], '#e0b84a', 235, 210);
  paint([[76, -28], [104, -22], [74, -22]], '#e0b84a', 235, 210);
  brush.wash('#1a1320', 250);
  brush.circle(58, -36, 4);
  brush.noWash();
  // legs
  brush.noFill();
  brush.set('HB', '#3a2a3a', 1.8);
  brush.line(0, 58, -5, 72);
  brush.line(20, 56, 22, 70);
  // music notes of song in pencil
  brush.set('2B', '#6a4a8a', 1.4);
  brush.spline([[110, -70], [140, -100], [170, -90], [200, -130]], 0.6);
}
