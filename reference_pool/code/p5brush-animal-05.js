// A humpback whale gliding through deep blue water with light shafts and bubbles, layered blue watercolour.
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
  background('#eef3f5');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // ocean layers, darker with depth
  brush.fillBleed(0.35);
  brush.fillTexture(0.55, 0.2);
  brush.fill('#9fcbe0', 170);
  brush.rect(-256, -256, 512, 512);
  brush.fill('#4f8fbf', 150);
  brush.rect(-256, -60, 512, 316);
  brush.fill('#27598f', 150);
  brush.rect(-256, 110, 512, 146);
  // light shafts
  brush.fill('#e6f2f6', 90);
  brush.polygon([[-160, -256], [-110, -256], [-10, 256], [-120, 256]]);
  brush.polygon([[40, -256], [70, -256], [160, 256], [90, 256]]);
  // whale body along a gentle curve
  brush.fillBleed(0.1);
  const spine = [];
  for (let i = 0; i <= 12; i++) {
    const t = i / 12;
    spine.push([-190 + 360 * t, 30 + 40 * sin(t * 180 + 180) + 10 * t]);
  }
  const widths = [];
  // body: wide at head, tapering to tail
  paint(band(spine, 90, 14), '#1f3a5a', 230, 170);
  // pale belly
  const belly = spine.slice(0, 8).map(p => [p[0], p[1] + 22]);
  paint(band(belly, 40, 10), '#b7cbd8', 210, 140);
  // flukes
  const e = spine[12];
  paint([[e[0], e[1]], [e[0] + 50, e[1] - 45], [e[0] + 30, e[1]], [e[0] + 55, e[1] + 40]], '#1f3a5a', 230, 170);
  // long pectoral fin
  paint([[-90, 40], [-40, 110], [-20, 120], [-60, 45]], '#2c4d72', 225, 160);
  // eye
  brush.wash('#0e1826', 250);
  brush.circle(-150, 30, 3.5);
  brush.noWash();
  // throat grooves and bubbles
  brush.noFill();
  brush.set('HB', '#dbe8f0', 1.2);
  brush.spline([[-185, 45], [-140, 55], [-90, 55]], 0.6);
  brush.spline([[-180, 55], [-135, 65], [-90, 65]], 0.6);
  brush.set('pen', '#e8f3f8', 1.2);
  for (let i = 0; i < 9; i++) {
    brush.circle(-200 + random(-20, 40), -20 - i * 25 + random(-8, 8), random(3, 8));
  }
}
