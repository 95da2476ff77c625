// A young deer standing among autumn birch trunks, brown and ochre watercolour with pencil legs.
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
  background('#f4eee2');
  brush.scaleBrushes(1.5);
  brush.noStroke();
  brush.fillBleed(0.4);
  brush.fillTexture(0.5, 0.25);
  brush.fill('#e7c98f', 150);
  brush.rect(-256, -256, 512, 330);
  brush.fill('#c7904a', 130);
  brush.circle(-180, -150, 110);
  brush.circle(170, -170, 120);
  brush.fill('#b8a06a', 150);
  brush.rect(-256, 130, 512, 126);
  // birch trunks
  brush.fillBleed(0.05);
  brush.fillTexture(0.3, 0.3, false);
  paint([[-200, -256], [-180, -256], [-178, 150], [-202, 150]], '#ece6da', 220, 190);
  paint([[190, -256], [212, -256], [214, 140], [188, 140]], '#ece6da', 220, 190);
  brush.noFill();
  brush.set('charcoal', '#3b332b', 1.4);
  for (let i = 0; i < 5; i++) {
    brush.line(-200, -200 + i * 70, -186, -196 + i * 70);
    brush.line(192, -180 + i * 65, 206, -176 + i * 65);
  }
  brush.noStroke();
  brush.fillTexture(0.5, 0.3);
  brush.fillBleed(0.12);
  // deer body facing left
  paint(ell(30, 10, 95, 50, 0), '#a5673a', 228, 165);
  paint(ell(40, 35, 70, 20, 0), '#e7d2b0', 210, 140);
  // neck and head
  paint(band([[-40, 0], [-60, -50], [-75, -90]], 45, 30), '#a5673a', 228, 165);
  paint(ell(-88, -100, 30, 22, -20), '#a5673a', 228, 170);
  paint([[-105, -92], [-140, -78], [-108, -75]], '#8d5530', 228, 170);
  paint([[-70, -115], [-52, -150], [-62, -108]], '#8d5530', 228, 170);
  paint([[-90, -118], [-92, -155], [-80, -115]], '#8d5530', 228, 170);
  // white spots
  for (let i = 0; i < 6; i++) {
    brush.wash('#f3e8d4', 200);
    brush.circle(10 + i * 22, -12 + (i % 2) * 14, 4);
    brush.noWash();
  }
  // tail
  paint([[120, -10], [140, -20], [130, 10]], '#8d5530', 220, 160);
  brush.wash('#1b1410', 250);
  brush.circle(-92, -104, 4);
  brush.circle(-138, -79, 4);
  brush.noWash();
  // legs in pencil
  brush.noFill();
  brush.set('2B', '#5e3a20', 2.6);
  brush.spline([[-30, 40], [-35, 100], [-30, 150]], 0.4);
  brush.spline([[-10, 45], [-5, 100], [-12, 150]], 0.4);
  brush.spline([[80, 40], [90, 100], [85, 150]], 0.4);
  brush.spline([[100, 35], [115, 95], [108, 148]], 0.4);
}
