// A rabbit in a meadow painted with washes so faint the canvas looks almost empty.
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
  background('#f8f6f1');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  brush.fill('#c8dcb0', 25);
  brush.rect(-256, 100, 512, 156);
  brush.fill('#c9bfb2', 30);
  brush.polygon(ell(0, 40, 70, 50, 0));
  brush.polygon(ell(-60, -20, 35, 30, 0));
  brush.polygon(ell(-70, -80, 10, 40, -10));
  brush.polygon(ell(-45, -82, 10, 40, 10));
  brush.fill('#f0f0f0', 30);
  brush.circle(70, 40, 15);
  brush.noFill();
  brush.set('2H', '#d8d2c8', 0.8);
  brush.line(-80, -20, -110, -25);
}
