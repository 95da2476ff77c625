// A hummingbird at a flower, overworked with layers of brown and grey wash until it turns to mud.
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
  background('#e9e2d4');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.5);
  brush.fillTexture(0.6, 0.5);
  // background overpainted several times
  const muds = ['#7a6a55', '#6b7060', '#8a6f5a', '#5e5a52'];
  for (let i = 0; i < 8; i++) {
    brush.fill(muds[i % 4], 170);
    brush.circle(random(-200, 200), random(-200, 200), random(90, 160));
  }
  // flower
  brush.fill('#9a4a5a', 190);
  brush.circle(-90, 60, 60);
  brush.fill('#6a5a40', 200);
  brush.circle(-80, 70, 50);
  // bird body, overworked
  brush.fill('#4f6a5a', 200);
  brush.polygon(ell(40, -20, 60, 30, -20));
  brush.fill('#7a5a4a', 200);
  brush.polygon(ell(30, -10, 70, 40, 10));
  brush.fill('#5a5048', 200);
  brush.polygon(ell(60, -40, 40, 40, 0));
  // wings smeared
  brush.fill('#6a6458', 190);
  brush.polygon([[20, -30], [120, -150], [160, -120], [60, -10]]);
  brush.polygon([[0, -30], [-40, -160], [10, -150], [40, -20]]);
  // beak
  brush.noFill();
  brush.set('charcoal', '#3a3028', 2);
  brush.line(20, -50, -60, 30);
  brush.line(-60, 50, 100, -120);
  brush.line(-100, -80, 120, 60);
}
