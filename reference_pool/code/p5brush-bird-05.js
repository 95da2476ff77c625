// A teal-blue kingfisher with an orange breast perched on a reed above a blue pond, crisp watercolour.
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
  background('#f2efe6');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // pond wash
  brush.fillBleed(0.4);
  brush.fillTexture(0.55, 0.25);
  brush.fill('#d6e9e6', 130);
  brush.rect(-256, -256, 512, 300);
  brush.fill('#8cc6cc', 170);
  brush.rect(-256, 60, 512, 196);
  brush.wash('#5fa9b3', 90);
  brush.fill('#5fa9b3', 160);
  brush.polygon([[-256, 160], [256, 130], [256, 256], [-256, 256]]);
  brush.noWash();
  // reed stalk
  brush.fillBleed(0.1);
  paint(band([[-30, 256], [-10, 150], [5, 90], [15, 52]], 12, 8), '#7a8f4a', 210, 150);
  paint(band([[-20, 200], [-70, 120], [-85, 60]], 10, 3), '#8da05a', 200, 120);
  paint(band([[-120, 256], [-125, 140], [-150, 60]], 9, 4), '#95a765', 190, 110);
  paint(band([[140, 256], [150, 150], [180, 90]], 9, 4), '#95a765', 190, 110);
  // kingfisher
  // tail
  paint([[-60, 20], [-150, 85], [-135, 100], [-45, 50]], '#1f7f93', 220, 160);
  // back and wing
  paint(ell(0, -10, 80, 45, -25), '#1c8aa0', 225, 160);
  paint(ell(-15, -5, 62, 30, -25), '#136577', 215, 150);
  // orange breast
  paint(ell(30, 20, 45, 38, -20), '#e9793a', 225, 170);
  // head
  paint(ell(55, -65, 42, 36, 0), '#1c8aa0', 225, 160);
  paint(ell(60, -50, 26, 12, 0), '#e9793a', 220, 160);
  paint(ell(70, -35, 14, 8, 0), '#f5efe2', 220, 170);
  // long dark beak
  paint([[90, -68], [160, -58], [92, -52]], '#222629', 240, 220);
  brush.wash('#111416', 250);
  brush.circle(68, -70, 5);
  brush.noWash();
  // bright cyan back stripe
  paint(band([[-60, 20], [-10, -20], [30, -40]], 8, 4), '#52c8d8', 210, 140);
  // feet on reed
  brush.noFill();
  brush.set('HB', '#c85a3a', 2);
  brush.line(8, 38, 10, 52);
  brush.line(24, 36, 20, 52);
  // water lines
  brush.set('2B', '#2f7f8f', 1.4);
  brush.line(-200, 180, -60, 178);
  brush.line(40, 200, 200, 196);
}
