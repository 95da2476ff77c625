// A red fox sitting in profile in deep blue winter twilight, orange fur glowing against snow and a pale moon.
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
  // opaque paper-coloured underlay so the colour stays clean over a dark ground
  brush.noFill();
  brush.wash('#f7f2ea', 255);
  brush.polygon(pts);
  brush.noWash();
  paint(pts, col, op, under);
}
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#4a6699');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  // twilight sky
  brush.fillBleed(0.3);
  brush.fillTexture(0.15, 0.1);
  brush.fill('#2e4373', 170);
  brush.rect(-256, -256, 512, 180);
  brush.fill('#8aa6cf', 150);
  brush.rect(-256, 30, 512, 130);
  // moon
  brush.wash('#f4efd8', 230);
  brush.circle(-140, -140, 40);
  brush.noWash();
  // snow ground
  brush.wash('#eef1f6', 245);
  brush.polygon([[-256, 140], [-80, 120], [120, 135], [256, 118], [256, 256], [-256, 256]]);
  brush.noWash();
  brush.fill('#b9c8e0', 150);
  brush.polygon(ell(40, 175, 140, 22, 0));
  // distant pines
  brush.fillBleed(0.05);
  for (const p of [[-220, 130, 70], [-185, 128, 100], [200, 122, 90], [232, 124, 60]]) {
    paint([[p[0], p[1] - p[2]], [p[0] + p[2] * 0.28, p[1]], [p[0] - p[2] * 0.28, p[1]]], '#23355a', 225, 170);
  }
  brush.fillBleed(0.1);
  brush.fillTexture(0.5, 0.3);
  // tail sweeping on the snow
  paintU(band([[-20, 160], [-80, 165], [-140, 150], [-170, 125]], 40, 46), '#d8612a', 230, 175);
  paintU(ell(-172, 122, 26, 20, -40), '#f6f2ea', 240, 210);
  // body sitting, facing right
  paintU([[-40, 165], [-55, 80], [-20, 10], [40, -20], [60, 40], [55, 165]], '#e06a2c', 232, 180);
  paintU([[25, -10], [58, 40], [52, 120], [30, 60]], '#f4eee4', 235, 200);
  // front leg
  paintU([[30, 70], [52, 70], [50, 168], [28, 168]], '#c4501e', 230, 175);
  paintU([[26, 150], [56, 150], [60, 170], [24, 170]], '#2a1d1a', 235, 200);
  // head
  paintU(ell(45, -45, 38, 32, 0), '#e06a2c', 232, 180);
  paintU([[65, -58], [118, -40], [108, -28], [70, -22]], '#e47434', 232, 180);
  paintU([[72, -30], [108, -30], [80, -16]], '#f4eee4', 235, 200);
  paintU([[20, -65], [15, -118], [45, -75]], '#c4501e', 232, 180);
  paintU([[45, -72], [52, -122], [66, -70]], '#c4501e', 232, 180);
  paintU([[24, -72], [20, -105], [38, -78]], '#2a1d1a', 200, 150);
  brush.wash('#1a1412', 250);
  brush.circle(116, -38, 5);
  brush.circle(70, -52, 4);
  brush.noWash();
  // ink accents
  brush.noFill();
  brush.set('2B', '#7a2c10', 1.4);
  brush.spline([[-40, 90], [-30, 40], [0, 5]], 0.6);
  brush.set('2H', '#8fa5c8', 1.3);
  brush.line(-240, 200, -120, 198);
  brush.line(100, 215, 230, 212);
}
