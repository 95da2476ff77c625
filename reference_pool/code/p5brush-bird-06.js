// A yellow goldfinch with black-and-white wings perched on a purple thistle, bright watercolour on cream paper.
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
  background('#f7f2e4');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // sunny background wash
  brush.fillBleed(0.45);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#f6e3a1', 140);
  brush.circle(40, -40, 200);
  // thistle stem and leaves
  brush.fillBleed(0.1);
  paint(band([[-60, 256], [-50, 170], [-30, 90]], 10, 7), '#7d9352', 210, 140);
  paint([[-50, 200], [-130, 150], [-90, 185], [-150, 200], [-55, 215]], '#90a55f', 200, 120);
  // thistle head
  paint(ell(-28, 80, 26, 22, 0), '#8fa463', 215, 140);
  paint([[-50, 70], [-60, 20], [-35, 55], [-28, 10], [-20, 55], [5, 18], [-5, 70]], '#9b5fb0', 220, 150);
  // bird on top of the thistle, facing left
  paint([[60, 0], [150, 40], [140, 55], [50, 25]], '#2b2b2e', 220, 160); // tail
  paint(ell(20, -10, 62, 42, 15), '#f2c630', 225, 170); // body
  paint(ell(45, -20, 48, 22, 20), '#2b2b2e', 215, 150); // wing
  paint(band([[10, -25], [60, -5]], 8, 6), '#f4f1e8', 230, 200); // wing bar
  paint(ell(-30, -55, 30, 28, 0), '#f2c630', 230, 170); // head
  paint(ell(-48, -56, 14, 14, 0), '#d8402f', 225, 180); // red face
  paint(ell(-22, -78, 18, 8, 0), '#2b2b2e', 220, 170); // black cap
  paint([[-60, -58], [-80, -52], [-60, -46]], '#e8c9a0', 235, 210); // beak
  brush.wash('#111111', 250);
  brush.circle(-38, -60, 3.5);
  brush.noWash();
  // legs
  brush.noFill();
  brush.set('HB', '#6b5a4a', 1.8);
  brush.line(0, 25, -15, 55);
  brush.line(15, 25, 5, 55);
  // thistle fibres
  brush.set('2B', '#6a3b82', 1.3);
  brush.line(-45, 60, -58, 22);
  brush.line(-28, 58, -28, 12);
  brush.line(-12, 60, 2, 22);
}
