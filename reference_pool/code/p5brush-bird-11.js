// A red-crowned crane flying across a large vermilion sun above misty ink mountains, Japanese-style watercolour.
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
function paintU(pts, col, op, under) {
  // paper underlay keeps the white plumage clean where it crosses the sun
  brush.noFill();
  brush.wash('#f6f0e2', 255);
  brush.polygon(pts);
  brush.noWash();
  paint(pts, col, op, under);
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3ecdc');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // vermilion sun
  brush.fillBleed(0.15);
  brush.fillTexture(0.4, 0.3);
  brush.wash('#c8352c', 235);
  brush.fill('#d8452f', 200);
  brush.circle(70, -60, 150);
  brush.noWash();
  // misty mountains
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#9a9a96', 150);
  brush.polygon([[-256, 256], [-256, 150], [-170, 80], [-90, 150], [-20, 110], [60, 170], [60, 256]]);
  brush.fill('#5e5f5e', 170);
  brush.polygon([[-60, 256], [30, 170], [120, 120], [200, 175], [256, 150], [256, 256]]);
  brush.fillBleed(0.08);
  // crane flying left, wings raised
  // upper wing: curved leading edge, feathered trailing edge
  paintU([[-15, -18], [0, -90], [40, -160], [95, -205], [88, -180], [104, -170], [92, -150], [100, -135], [84, -120], [86, -95], [66, -80], [62, -50], [36, -8]], '#f8f5ee', 232, 205);
  // black primaries at the tip
  for (let k = 0; k < 4; k++) {
    const bx = 70 + k * 8, by = -185 + k * 18;
    paint([[bx - 20, by + 10], [bx + 25, by - 22 + k * 2], [bx + 20, by + 2], [bx - 12, by + 22]], '#1e1e1e', 240, 230);
  }
  // lower wing, foreshortened
  paintU([[-20, 12], [30, 55], [90, 85], [150, 96], [128, 80], [140, 70], [110, 55], [112, 42], [70, 30], [40, 8]], '#ecebe6', 232, 205);
  paint([[112, 70], [150, 96], [128, 80], [140, 70]], '#1e1e1e', 240, 230);
  // body
  paintU(ell(0, 0, 60, 22, -8), '#f8f5ee', 232, 205);
  // black tail plumes
  paint([[50, -5], [95, 5], [85, 18], [50, 12]], '#222222', 230, 200);
  // neck reaching forward
  paint(band([[-50, 0], [-100, -8], [-150, -18]], 14, 10), '#262626', 232, 205);
  paintU(ell(-160, -20, 13, 11, 0), '#f8f5ee', 235, 210);
  paint(ell(-160, -28, 7, 5, 0), '#c8352c', 235, 210);
  paint([[-170, -22], [-212, -18], [-170, -15]], '#8a7a5a', 235, 210);
  brush.wash('#111111', 250);
  brush.circle(-163, -22, 2);
  brush.noWash();
  // trailing legs
  brush.noFill();
  brush.set('2B', '#2a2a2a', 1.8);
  brush.line(50, 10, 140, 30);
  brush.line(50, 14, 138, 38);
  // seal
  brush.noStroke();
  brush.wash('#b3322a', 230);
  brush.rect(196, 200, 26, 30);
  brush.noWash();
}
