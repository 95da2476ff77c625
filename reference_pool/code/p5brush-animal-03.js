// A koi in a jade pond whose pale body vanishes against the water, leaving red patches and fins floating apart between lily pads.
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
  background('#eef1ea');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // pond
  brush.fillBleed(0.4);
  brush.fillTexture(0.55, 0.2);
  brush.fill('#a9cbbf', 160);
  brush.rect(-256, -256, 512, 512);
  brush.fill('#7fae9f', 120);
  brush.circle(-150, 160, 170);
  // lily pads
  brush.fillBleed(0.15);
  const pads = [[-170, -150, 60], [180, 150, 70], [190, -170, 40], [-190, 170, 45]];
  for (const p of pads) {
    paint(ell(p[0], p[1], p[2], p[2] * 0.9, 0), '#5f8f4e', 215, 140);
  }
  // koi body: S-curved along a spine
  const spine = [];
  for (let i = 0; i <= 10; i++) {
    const t = i / 10;
    spine.push([-150 + 300 * t, 60 * sin(t * 200 + 20) - 20]);
  }
  const w = [];
  paint(band(spine.slice(0, 9), 20, 95), '#f4efe6', 235, 180);
  // red patches
  paint(ell(-40, 20, 50, 28, -25), '#d8412f', 230, 180);
  paint(ell(60, -40, 45, 26, 20), '#d8412f', 230, 180);
  paint(ell(120, -58, 26, 22, 0), '#e6603a', 230, 180);
  // tail fin
  paint([[-130, 30], [-215, -20], [-185, 30], [-215, 80]], '#e98a66', 215, 150);
  // pectoral fins
  paint([[70, -15], [60, 35], [95, 5]], '#f0b8a0', 210, 140);
  paint([[90, -80], [70, -120], [110, -85]], '#f0b8a0', 210, 140);
  // eyes
  brush.wash('#1b1a18', 250);
  brush.circle(130, -38, 3.5);
  brush.circle(138, -72, 3.5);
  brush.noWash();
  // ripples
  brush.noFill();
  brush.set('2H', '#4f7f70', 1.3);
  brush.spline([[-60, 150], [0, 165], [60, 150]], 0.6);
  brush.spline([[-20, 180], [20, 190], [60, 180]], 0.6);
  brush.set('HB', '#2f5a35', 1.2);
  brush.line(180, 150, 240, 110);
}
